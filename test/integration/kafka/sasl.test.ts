import { strict as assert } from 'node:assert';
import { after, afterEach, describe, it } from 'node:test';
import { createKafkaClient } from '../../../core/kafka/client';
import { KafkaError } from '../../../core/kafka/errors';
import { stackInfo } from '../../support/stack';
import { collect, createTopic, helper, onTab, sink, statuses, testNodeModules, uniqueName, waitFor, type FlowNode } from './support';

function saslBroker(mechanism: string): FlowNode {
  return { id: 'broker', type: 'smarts-kafka-broker', brokers: stackInfo().kafka.saslBrokers.join(','), saslMechanism: mechanism, logLevel: 'error' };
}

describe('SASL on the second listener (SASL_PLAINTEXT)', () => {
  afterEach(async () => {
    await helper.unload();
  });
  after(async () => {
    await helper.unload();
  });

  for (const mechanism of ['scram-sha-256', 'plain']) {
    it(`${mechanism}: the right password is accepted; messages flow both ways`, { timeout: 60000 }, async () => {
      const { username, password } = stackInfo().kafka.scram;
      const topic = uniqueName(`it-sasl-${mechanism}`);
      await createTopic(topic, 1);
      await helper.load(
        testNodeModules(),
        onTab([
          saslBroker(mechanism),
          { id: 'out', type: 'smarts-kafka-out', broker: 'broker', topic, format: 'json', wires: [[]] },
          { id: 'in', type: 'smarts-kafka-in', broker: 'broker', topics: topic, fromBeginning: true, format: 'json', wires: [['sink']] },
          sink('sink'),
        ]),
        { broker: { username, password } },
      );
      const received = collect('sink');
      helper.getNode('out').receive({ payload: { entity_id: 'sensor.sasl', ts: 1, value: 1, unit: 'Wh', kind: 'energy', hour: 0 } });
      await waitFor(() => received.length === 1, 45000, 'the message through the SASL listener');
      assert.equal((received[0]?.payload as { entity_id: string }).entity_id, 'sensor.sasl');
    });
  }

  it('a wrong password is refused with a clear status on both nodes and a non-retriable error', { timeout: 60000 }, async () => {
    const { username } = stackInfo().kafka.scram;
    const wrong = 'definitely-not-the-password';
    await assert.rejects(
      createKafkaClient({ brokers: stackInfo().kafka.saslBrokers, sasl: { mechanism: 'scram-sha-256', username, password: wrong } }).checkConnection(),
      (error: unknown) => error instanceof KafkaError && error.kind === 'auth' && !error.retriable && !error.message.includes(wrong),
    );
    const topic = uniqueName('it-sasl-wrong');
    await helper.load(
      testNodeModules(),
      onTab([
        saslBroker('scram-sha-256'),
        { id: 'out', type: 'smarts-kafka-out', broker: 'broker', topic, format: 'json', wires: [[]] },
        { id: 'in', type: 'smarts-kafka-in', broker: 'broker', topics: topic, format: 'json', wires: [[]] },
        { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
        sink('errors'),
      ]),
      { broker: { username, password: wrong } },
    );
    const inStatus = statuses(helper.getNode('in'));
    const outStatus = statuses(helper.getNode('out'));
    const errors = collect('errors');
    await waitFor(() => inStatus.some((status) => status.text === 'authentication refused (check user/password)'), 30000, 'the consumer status');
    await waitFor(() => outStatus.some((status) => status.text === 'authentication refused (check user/password)'), 30000, 'the producer status');
    helper.getNode('out').receive({ payload: { n: 1 } });
    await waitFor(() => errors.length === 1, 30000, 'the refused send at Catch');
    assert.match((errors[0]?.error as { message: string }).message, /authentication refused/);
    assert.ok(!JSON.stringify(errors[0]).includes(wrong), 'the password never appears in errors');
  });
});
