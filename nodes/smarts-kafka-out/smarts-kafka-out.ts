import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { valueFormats, type ValueFormat } from '../../core/avro/codec';
import { BufferedProducer, type ProducerState } from '../../core/kafka/buffered-producer';
import { KafkaError, toKafkaError } from '../../core/kafka/errors';
import type { ProduceRecord } from '../../core/kafka/types';
import { isKafkaBrokerNode } from '../shared/kafka-broker-api';
import { kafkaErrorStatus, short, throttledStatus } from '../shared/kafka-status';

interface OutNodeDef extends NodeDef {
  broker: string;
  topic: string;
  key: string;
  format: ValueFormat;
  bufferCount: number | string;
  bufferMegabytes: number | string;
}

interface OutMessage extends NodeMessageInFlow {
  key?: unknown;
  headers?: unknown;
  kafka?: unknown;
}

function positive(value: number | string | undefined, fallback: number): number {
  const number = Number(value);
  return Number.isFinite(number) && number > 0 ? number : fallback;
}

/** Key by msg.key, else the configured key, else the reading's entity_id, so each meter keeps its order. */
function keyOf(msg: OutMessage, configured: string): string | Buffer | null {
  if (Buffer.isBuffer(msg.key)) return msg.key;
  if (typeof msg.key === 'string' || typeof msg.key === 'number') return String(msg.key);
  if (configured) return configured;
  const payload = msg.payload as { entity_id?: unknown } | undefined;
  if (payload && typeof payload === 'object' && typeof payload.entity_id === 'string') return payload.entity_id;
  if (payload && typeof payload === 'object' && 'hour' in payload) return 'seed.power';
  return null;
}

function headersOf(value: unknown): Record<string, string | Buffer> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new KafkaError('msg.headers must be an object of header names to strings', 'config', false);
  const headers: Record<string, string | Buffer> = {};
  for (const [name, header] of Object.entries(value as Record<string, unknown>)) {
    if (header === undefined || header === null) continue;
    headers[name] = Buffer.isBuffer(header) ? header : typeof header === 'string' ? header : JSON.stringify(header);
  }
  return headers;
}

export = function (RED: NodeAPI): void {
  function SmartsKafkaOut(this: Node, def: OutNodeDef): void {
    RED.nodes.createNode(this, def);
    runKafkaOut(this, def);
  }

  function runKafkaOut(node: Node, def: OutNodeDef): void {
    const broker = RED.nodes.getNode(def.broker);
    const format: ValueFormat = (valueFormats as readonly string[]).includes(def.format) ? def.format : 'avro';
    let producer: BufferedProducer | undefined;
    const setStatus = throttledStatus((status) => node.status(status));

    function showState(state: ProducerState): void {
      let status;
      if (state.lastError && state.buffered > 0) {
        status = { ...kafkaErrorStatus(state.lastError), text: `buffered ${state.buffered} · ${kafkaErrorStatus(state.lastError).text}` };
      } else if (state.lastError) {
        status = kafkaErrorStatus(state.lastError);
      } else if (state.buffered > 0) {
        status = { fill: 'yellow' as const, shape: state.connected ? ('dot' as const) : ('ring' as const), text: `buffered ${state.buffered} · sent ${state.delivered}` };
      } else {
        status = state.connected
          ? { fill: 'green' as const, shape: 'dot' as const, text: `connected · sent ${state.delivered}` }
          : { fill: 'grey' as const, shape: 'ring' as const, text: state.delivered > 0 ? `disconnected · sent ${state.delivered}` : 'idle' };
      }
      setStatus(status);
    }

    if (!isKafkaBrokerNode(broker)) {
      setStatus({ fill: 'red', shape: 'ring', text: 'no Kafka broker configured' });
    } else {
      try {
        producer = new BufferedProducer(broker.kafkaClient().producerTransport(), {
          maxCount: positive(def.bufferCount, 10_000),
          maxBytes: Math.round(positive(def.bufferMegabytes, 16) * 1024 * 1024),
          onStateChange: showState,
        });
        setStatus({ fill: 'yellow', shape: 'ring', text: `connecting · ${short(broker.describe(), 40)}` });
        void producer.connect();
      } catch (error) {
        setStatus(kafkaErrorStatus(toKafkaError(error)));
        node.error(`Kafka broker configuration: ${(error as Error).message}`);
      }
    }

    node.on('input', (msg: OutMessage, send, done) => {
      if (!producer || !isKafkaBrokerNode(broker)) {
        done(new Error('smarts-kafka-out: no usable Kafka broker configuration'));
        return;
      }
      const topic = def.topic || (typeof msg.topic === 'string' ? msg.topic : '');
      if (!topic) {
        setStatus({ fill: 'red', shape: 'ring', text: 'no topic (set one or send msg.topic)' });
        done(new Error('smarts-kafka-out: no topic configured and msg.topic is empty'));
        return;
      }
      const activeProducer = producer;
      (async () => {
        const record: ProduceRecord = { topic, key: keyOf(msg, def.key), value: await broker.valueCodec().encode(format, topic, msg.payload) };
        const headers = headersOf(msg.headers);
        if (headers) record.headers = headers;
        msg.kafka = await activeProducer.send(record);
        send(msg);
      })().then(
        () => done(),
        (error: unknown) => {
          const failure = error instanceof Error ? error : new Error(String(error));
          if (error instanceof KafkaError && error.kind === 'buffer-full') {
            setStatus({ fill: 'red', shape: 'dot', text: short(`buffered ${activeProducer.state.buffered} · refused one: buffer full`) });
          } else if (!(error instanceof KafkaError)) {
            setStatus({ fill: 'red', shape: 'ring', text: short(`bad message: ${failure.message}`) });
          }
          done(failure);
        },
      );
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      const closing = producer?.close(3000) ?? Promise.resolve();
      closing.then(done, done);
    });
  }

  RED.nodes.registerType('smarts-kafka-out', SmartsKafkaOut);
};
