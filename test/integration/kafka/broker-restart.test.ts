import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { collect, createTopic, helper, onTab, PrivateKafka, readTopic, sink, statuses, testNodeModules, uniqueName, waitFor } from './support';

/**
 * The shared broker is never restarted: this test runs its own Kafka (scripts/stack/kafka.sh on
 * ports 19092-19094 in a temporary STACK_DIR), stops it while the producer node is sending, and
 * starts it again.
 */
describe('smarts-kafka-out while its broker stops and restarts', () => {
  const kafka = new PrivateKafka(19092, 19093, 19094);

  before(async () => {
    await kafka.start();
  });
  after(async () => {
    await helper.unload();
    await kafka.remove();
  });

  it('buffers (status shows the count), then delivers everything in order per key, nothing lost', { timeout: 240000 }, async () => {
    const topic = uniqueName('it-restart');
    await createTopic(topic, 2, kafka.brokers);
    await helper.load(
      testNodeModules(),
      onTab([
        { id: 'broker', type: 'smarts-kafka-broker', brokers: kafka.brokers.join(','), saslMechanism: 'none', logLevel: 'error' },
        { id: 'out', type: 'smarts-kafka-out', broker: 'broker', topic, format: 'json', wires: [['acked']] },
        sink('acked'),
        { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
        sink('errors'),
      ]),
    );
    const acked = collect('acked');
    const errors = collect('errors');
    const seen = statuses(helper.getNode('out'));
    const keys = ['sensor.a', 'sensor.b', 'sensor.c'];
    let sent = 0;
    const sendSome = async (count: number): Promise<void> => {
      for (let i = 0; i < count; i += 1, sent += 1) {
        helper.getNode('out').receive({ payload: { entity_id: keys[sent % keys.length], seq: sent } });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    await sendSome(30);
    await waitFor(() => acked.length === 30, 30000, 'the first 30 acknowledged');

    const stopping = kafka.stop();
    await sendSome(60);
    await stopping;
    await sendSome(30);
    await waitFor(() => seen.some((status) => /^buffered \d+/.test(status.text ?? '')), 30000, 'a "buffered N" status');
    const buffered = Math.max(...seen.map((status) => Number(/^buffered (\d+)/.exec(status.text ?? '')?.[1] ?? 0)));
    assert.ok(buffered > 0 && acked.length < sent, `messages held while the broker is down (status showed buffered ${buffered})`);

    await kafka.start();
    await sendSome(30);
    await waitFor(() => acked.length === sent, 120000, `all ${sent} acknowledged after the restart`);
    assert.equal(errors.length, 0, 'no message refused');
    await waitFor(() => seen.at(-1)?.text?.startsWith('connected') === true, 10000, 'status back to connected');

    const records = await readTopic(topic, sent, 30000, kafka.brokers);
    const sequences = records.map((record) => (JSON.parse(record.value.toString()) as { seq: number }).seq);
    assert.equal(records.length, sent, 'every record on the topic exactly once');
    assert.deepEqual([...sequences].sort((a, b) => a - b), Array.from({ length: sent }, (_, n) => n), 'nothing lost, nothing doubled');
    for (const key of keys) {
      const ofKey = records.filter((record) => record.key === key).sort((a, b) => Number(a.offset) - Number(b.offset));
      const order = ofKey.map((record) => (JSON.parse(record.value.toString()) as { seq: number }).seq);
      assert.deepEqual(order, [...order].sort((a, b) => a - b), `${key} in the order sent`);
    }
  });
});
