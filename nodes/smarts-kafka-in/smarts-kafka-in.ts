import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { decodeFormats, type DecodeFormat } from '../../core/avro/codec';
import { BufferedProducer } from '../../core/kafka/buffered-producer';
import { GroupConsumer, type ConsumerEvent } from '../../core/kafka/consumer';
import { toKafkaError } from '../../core/kafka/errors';
import type { ConsumedMessage, InFlightMessage } from '../../core/kafka/types';
import { StreamPipeline, type DecodedMessage } from '../../core/stream/pipeline';
import { isKafkaBrokerNode, type KafkaBrokerNode } from '../shared/kafka-broker-api';
import { FlowCompletion } from '../shared/kafka-flow-completion';
import { kafkaErrorStatus, short, throttledStatus } from '../shared/kafka-status';

interface InNodeDef extends NodeDef {
  broker: string;
  topics: string;
  groupId: string;
  fromBeginning: boolean;
  format: DecodeFormat;
  maxInFlight: number | string;
  ackMode: 'flow' | 'message';
  deadLetterTopic: string;
}

/** Identifies a consumed message to its consumer node (explicit acknowledgement). */
interface KafkaRef {
  consumer: string;
  topic: string;
  partition: number;
  offset: string;
}

interface InMessage extends NodeMessageInFlow {
  _kafka?: KafkaRef;
}

function refKey(ref: { topic: string; partition: number; offset: string }): string {
  return `${ref.topic}\u0000${ref.partition}\u0000${ref.offset}`;
}

export = function (RED: NodeAPI): void {
  function SmartsKafkaIn(this: Node, def: InNodeDef): void {
    RED.nodes.createNode(this, def);
    runKafkaIn(this, def);
  }

  function runKafkaIn(node: Node, def: InNodeDef): void {
    const broker = RED.nodes.getNode(def.broker);
    const topics = (def.topics ?? '').split(/[\s,]+/).filter((topic) => topic.length > 0);
    const format: DecodeFormat = (decodeFormats as readonly string[]).includes(def.format) ? def.format : 'auto';
    const ackMode = def.ackMode === 'message' ? 'message' : 'flow';
    const maxInFlight = Math.max(1, Math.floor(Number(def.maxInFlight) || 16));
    // The node id is stable across restarts and redeploys, so is the default group.
    const groupId = def.groupId || `stream-smarts-${node.id}`;
    const awaitingAck = new Map<string, () => void>();
    let completion: FlowCompletion | undefined;
    let consumer: GroupConsumer | undefined;
    let stream: StreamPipeline | undefined;
    let deadLetters: BufferedProducer | undefined;
    let received = 0;
    let malformed = 0;
    let connection: ConsumerEvent | undefined;
    const setStatus = throttledStatus((status) => node.status(status));

    function showStatus(): void {
      const counts = `${received} in${malformed > 0 ? `, ${malformed} bad` : ''}, ${consumer?.inFlight ?? 0}/${maxInFlight} in flight`;
      if (consumer?.paused) {
        setStatus({ fill: 'blue', shape: 'ring', text: `paused · ${counts}` });
        return;
      }
      switch (connection?.type) {
        case 'joined':
        case 'committed':
        case 'resumed':
        case 'commit-failed':
          setStatus({ fill: 'green', shape: 'dot', text: `consuming · ${counts}` });
          return;
        case 'disconnected':
          setStatus(connection.error ? kafkaErrorStatus(connection.error) : { fill: 'red', shape: 'ring', text: 'disconnected' });
          return;
        case 'failed':
          setStatus(kafkaErrorStatus(connection.error));
          return;
        default:
          setStatus({ fill: 'yellow', shape: 'ring', text: 'connecting' });
      }
    }

    /** Into the flow, in the series' order; committed once the flow (or an explicit ack) finished it. */
    function send(item: DecodedMessage): void {
      const { message, decoded } = item;
      const msgid = RED.util.generateId();
      const ref: KafkaRef = { consumer: node.id, topic: message.topic, partition: message.partition, offset: message.offset };
      const msg = {
        _msgid: msgid,
        topic: message.topic,
        payload: decoded.value,
        key: message.key?.toString('utf8') ?? null,
        headers: message.headers,
        kafka: { ...ref, timestamp: Number(message.timestamp), encoding: decoded.encoding, schema: decoded.schema },
        _kafka: ref,
      } as NodeMessage;
      if (ackMode === 'message') {
        awaitingAck.set(refKey(ref), item.finish);
        node.send(msg);
      } else {
        completion?.track(msgid, item.finish);
        node.send(msg);
        completion?.sent(msgid);
      }
    }

    function reportUndecodable(message: ConsumedMessage, error: Error): void {
      malformed += 1;
      const raw = message.value ?? Buffer.alloc(0);
      const errorMsg = {
        topic: message.topic,
        payload: raw.toString('base64'),
        kafka: { topic: message.topic, partition: message.partition, offset: message.offset, key: message.key?.toString('utf8') ?? null, raw: raw.toString('base64') },
      } as NodeMessage;
      node.error(`undecodable message at ${message.topic}[${message.partition}]@${message.offset}: ${error.message}`, errorMsg);
    }

    function streamPipeline(brokerNode: KafkaBrokerNode): StreamPipeline {
      return new StreamPipeline({
        decode: (bytes) => brokerNode.valueCodec().decode(bytes, format),
        handle: (run) => {
          for (const item of run) send(item);
          showStatus();
        },
        deadLetters: def.deadLetterTopic
          ? {
              topic: def.deadLetterTopic,
              send: (record) => {
                deadLetters ??= new BufferedProducer(brokerNode.kafkaClient().producerTransport(), { maxCount: 1000 });
                return deadLetters.send(record);
              },
            }
          : undefined,
        onDecodeRetry: (_message, error) => setStatus({ fill: 'yellow', shape: 'ring', text: short(`retrying decode: ${error.message}`) }),
        onRejected: reportUndecodable,
        onDeadLetterFailed: (_message, error) => node.warn(`dead-letter topic ${def.deadLetterTopic}: ${toKafkaError(error).message}`),
      });
    }

    /** Each finished message also updates the in-flight count on the status. */
    function withStatus(messages: InFlightMessage[]): InFlightMessage[] {
      received += messages.length;
      return messages.map((item) => ({
        message: item.message,
        finish: () => {
          item.finish();
          showStatus();
        },
      }));
    }

    if (!isKafkaBrokerNode(broker)) {
      setStatus({ fill: 'red', shape: 'ring', text: 'no Kafka broker configured' });
    } else if (topics.length === 0) {
      setStatus({ fill: 'red', shape: 'ring', text: 'no topic configured' });
    } else if (ackMode === 'flow' && !RED.hooks) {
      setStatus({ fill: 'red', shape: 'ring', text: 'this runtime has no message hooks: use the explicit ack mode' });
    } else {
      try {
        if (ackMode === 'flow') completion = new FlowCompletion(RED.hooks, `smarts-kafka-in-${node.id}`);
        const pipeline = streamPipeline(broker);
        stream = pipeline;
        consumer = new GroupConsumer(broker.kafkaClient(), {
          groupId,
          topics,
          fromBeginning: def.fromBeginning === true,
          maxInFlight,
          handleBatch: (messages) => pipeline.handleBatch(withStatus(messages)),
          onEvent: (event) => {
            if (event.type !== 'committed' && event.type !== 'paused' && event.type !== 'resumed') connection = event;
            if (event.type === 'commit-failed') node.warn(`offset commit failed: ${event.error.message}`);
            showStatus();
          },
        });
        showStatus();
        consumer.start().catch((error: unknown) => {
          const failure = toKafkaError(error);
          node.error(`Kafka consumer stopped: ${failure.message}`);
          setStatus(kafkaErrorStatus(failure));
        });
      } catch (error) {
        const failure = toKafkaError(error);
        setStatus(kafkaErrorStatus(failure));
        node.error(`Kafka broker configuration: ${failure.message}`);
      }
    }

    node.on('input', (msg: InMessage, _send, done) => {
      const command = typeof msg.topic === 'string' ? msg.topic.toLowerCase() : '';
      if (command === 'pause' || command === 'resume') {
        if (command === 'pause') consumer?.pause();
        else consumer?.resume();
        showStatus();
        done();
        return;
      }
      if (command === 'ack') {
        const ref = msg._kafka;
        if (!ref || ref.consumer !== node.id) {
          done(new Error('ack: msg._kafka is missing or belongs to another consumer node'));
          return;
        }
        const finished = awaitingAck.get(refKey(ref));
        awaitingAck.delete(refKey(ref));
        finished?.();
        done();
        return;
      }
      done(new Error(`unknown command msg.topic=${JSON.stringify(msg.topic)} (expected "pause", "resume" or "ack")`));
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      stream?.close();
      completion?.close();
      awaitingAck.clear();
      Promise.all([consumer?.stop(), deadLetters?.close(2000)])
        .catch((error: unknown) => node.warn(`closing: ${(error as Error).message}`))
        .finally(() => {
          setStatus({});
          done();
        });
    });
  }

  RED.nodes.registerType('smarts-kafka-in', SmartsKafkaIn);
};
