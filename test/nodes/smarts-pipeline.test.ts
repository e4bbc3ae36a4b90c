import { strict as assert } from 'node:assert';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { actionId } from '../../core/ha/notify/feedback';
import type { ScoredReading } from '../../core/reading';
import { importHourly } from '../integration/ha/statistics';
import { anomalyWatcherForSuite, fireEvent, ha, setState, uniqueId } from '../integration/ha/support';
import { brokerNode, createTopic, uniqueName } from '../integration/kafka/support';
import { modelsDir } from '../unit/core/anomaly/fixtures';
import { expectedAnswerReadings, markedExpectedNote, type HourReading } from '../support/expected-answer';
import { helper, loadNodeModules, type FlowNode, type HelperNode, type NodeModule } from '../support/node-red-helper';
import { waitFor } from '../support/wait';
import { hourMs } from '../../core/units';

const retrainHours = 24;
const historyDays = 10;

function modules(): NodeModule[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const catchNode = require(join(require.resolve('@node-red/nodes/package.json'), '..', 'core', 'common', '25-catch.js')) as NodeModule;
  const types = ['smarts-ha-server', 'smarts-ha-meter', 'smarts-ha-notify', 'smarts-kafka-broker', 'smarts-kafka-out', 'smarts-kafka-in', 'smarts-anomaly'];
  return [...loadNodeModules(...types), catchNode];
}

/**
 * The pipeline as a user wires it, plugin node to plugin node: the live meter → Kafka → anomaly →
 * notify (every scored reading, as the shipped flows wire it), notify's answers straight back to the anomaly node, a history-only meter straight into it.
 * `household` stands in for hours of the home's use at chosen times (the live meter's readings
 * carry the wall clock, and what "Expected" does plays out over days); it feeds the same producer.
 */
function pipeline(options: { live: string; history: string; topic: string; modelDir: string }): FlowNode[] {
  const nodes: FlowNode[] = [
    { id: 'server', type: 'smarts-ha-server', url: ha().url, heartbeat: 1 },
    brokerNode(),
    { id: 'meter', type: 'smarts-ha-meter', server: 'server', entities: options.live, interval: 3600, output: 'raw', offlineGrace: 0, wires: [['raw_out'], []] },
    { id: 'household', type: 'helper', wires: [['raw_out']] },
    { id: 'raw_out', type: 'smarts-kafka-out', broker: 'broker', topic: options.topic, format: 'json', wires: [[]] },
    { id: 'raw_in', type: 'smarts-kafka-in', broker: 'broker', topics: options.topic, groupId: uniqueName('pipeline'), fromBeginning: true, format: 'json', maxInFlight: 64, wires: [['anomaly']] },
    { id: 'anomaly', type: 'smarts-anomaly', modelDir: options.modelDir, mapping: '', learnDays: 14, retrainHours, saveModels: false, wires: [['scored', 'notify'], [], ['trained']] },
    { id: 'notify', type: 'smarts-ha-notify', server: 'server', services: 'notify.stack_file', cooldown: 0, actions: true, wires: [['alerts'], ['anomaly', 'answers']] },
    { id: 'history', type: 'smarts-ha-meter', server: 'server', entities: options.history, interval: 3600, output: 'history', offlineGrace: 0, wires: [['anomaly'], []] },
    ...['scored', 'trained', 'alerts', 'answers', 'errors'].map((id) => ({ id, type: 'helper' })),
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
  ];
  return [{ id: 'tab', type: 'tab', label: 'pipeline' }, ...nodes.map((node) => (node.type === 'smarts-ha-server' || node.type === 'smarts-kafka-broker' ? node : { z: 'tab', x: 100, y: 100, ...node }))];
}

function collect<T>(id: string): T[] {
  const seen: T[] = [];
  helper.getNode(id).on('input', (msg: never) => seen.push(msg as T));
  return seen;
}

function connected(node: HelperNode): () => boolean {
  let up = false;
  node.on('call:status', (call: never) => {
    if (/^connected/.test((call as { args: [{ text?: string }] }).args[0].text ?? '')) up = true;
  });
  return () => up;
}

interface ScoredMsg {
  payload: ScoredReading;
  _kafka?: unknown;
}

interface AlertMsg {
  payload: ScoredReading;
  alert: { anomaly: boolean; push: { push: boolean; reason?: string } };
}

describe('the plugin pipeline without glue, on the real Home Assistant and Kafka', () => {
  const { events } = anomalyWatcherForSuite();
  let modelDir: string;
  before(async () => {
    modelDir = await mkdtemp(join(tmpdir(), 'smarts-pipeline-'));
    await cp(join(modelsDir, 'default'), join(modelDir, 'default'), { recursive: true });
  });
  after(async () => {
    await helper.unload();
    await rm(modelDir, { recursive: true, force: true });
  });

  it('meter history trains, live readings pass through Kafka, and the household\'s "Expected" keeps that pattern from alerting for two retrain intervals', { timeout: 180_000 }, async () => {
    const live = `sensor.${uniqueId('pipeline_power')}`;
    const home = `sensor.${uniqueId('pipeline_energy')}`;
    const topic = uniqueName('pipeline-raw');
    await setState(live, 300, { unit_of_measurement: 'W', device_class: 'power', state_class: 'measurement' });
    await setState(home, 500, { unit_of_measurement: 'kWh', device_class: 'energy', state_class: 'total_increasing' });
    const currentHour = Math.floor(Date.now() / hourMs) * hourMs;
    const hours = historyDays * 24;
    // an ordinary home: 0.2 to 1.35 kWh an hour
    await importHourly(home, currentHour - hours * hourMs, Array.from({ length: hours }, (_, i) => Math.round((0.2 + ((i * 7) % 24) / 20) * 1000) / 1000));
    await createTopic(topic, 1);

    await helper.load(modules(), pipeline({ live, history: home, topic, modelDir }), { server: { token: ha().token } });
    const scored = collect<ScoredMsg>('scored');
    const trained = collect<{ payload: { entity_id: string; points: number } }>('trained');
    const alerts = collect<AlertMsg>('alerts');
    const answers = collect<{ payload: unknown }>('answers');
    const errors = collect<{ error: { message: string } }>('errors');
    const ready = ['meter', 'history', 'notify'].map((id) => connected(helper.getNode(id)));
    await waitFor(() => ready.every((up) => up()), 30_000, 'meters and notify connected to Home Assistant');

    // the meter's history answer, wired straight in, trains the home's series
    helper.getNode('history').receive({ topic: 'history', payload: { days: historyDays } });
    await waitFor(() => trained.length === 1, 120_000, 'the training report on output 3');
    assert.equal(trained[0]?.payload.entity_id, home);
    assert.ok((trained[0]?.payload.points ?? 0) >= hours - 24, `trained on ${trained[0]?.payload.points} hours`);

    // a live state change goes meter → Kafka → anomaly
    await setState(live, 420, { unit_of_measurement: 'W', device_class: 'power', state_class: 'measurement' });
    await waitFor(() => scored.some((msg) => msg.payload.entity_id === live && msg.payload.value === 420), 30_000, 'the live reading scored');
    assert.ok(scored.find((msg) => msg.payload.entity_id === live)?._kafka, 'it came through the Kafka consumer');
    assert.ok(scored.every((msg) => typeof msg.payload.score === 'number'), 'no training report among the scores');

    const readings = expectedAnswerReadings(home, currentHour + 2 * hourMs, retrainHours);
    const of = <T extends { payload: ScoredReading }>(messages: T[], reading: HourReading): T | undefined =>
      messages.find((msg) => msg.payload.entity_id === home && msg.payload.ts === reading.ts);
    /** Sends an hour through Kafka; its score, and the notify node's outcome if it reached an alert. */
    const outcome = async (reading: HourReading): Promise<{ scored: ScoredReading; alert: AlertMsg['alert'] | undefined }> => {
      helper.getNode('household').send({ payload: reading });
      await waitFor(() => of(scored, reading) !== undefined, 30_000, `the score for ${new Date(reading.ts).toISOString()}`);
      const message = of(scored, reading) as ScoredMsg;
      // every scored reading goes on to the notify node, which answers with the outcome
      await waitFor(() => of(alerts, reading) !== undefined, 30_000, `the notify outcome for ${new Date(reading.ts).toISOString()}`);
      return { scored: message.payload, alert: of(alerts, reading)?.alert };
    };

    const first = await outcome(readings.answered);
    assert.equal(first.scored.anomaly, true, `20 kWh in an hour scored ${first.scored.score}`);
    assert.match(first.scored.model, /^home@1:/, 'scored by the model the history trained');
    assert.equal(first.alert?.push.push, true, 'pushed to the phone with its buttons');

    // the companion app's "Expected" button
    await fireEvent('mobile_app_notification_action', { action: actionId('smarts_notify', 'expected', home, readings.answered.ts) });
    await waitFor(() => answers.length === 1, 15_000, 'the answer on the notify node\'s output 2');
    assert.deepEqual(answers[0]?.payload, { feedback: 'expected', entity_id: home, ts: readings.answered.ts });

    const inside = await outcome(readings.inside);
    assert.deepEqual([inside.scored.anomaly, inside.scored.score, inside.scored.explanation], [false, 0.99, markedExpectedNote]);
    assert.equal(inside.alert?.push.push, false, 'no alert a day later');

    const later = await outcome(readings.after);
    assert.equal(later.scored.anomaly, true, 'two retrain intervals on, the same hour alerts again');
    assert.ok(later.scored.score > 1);
    assert.equal(later.alert?.push.push, true);

    await waitFor(() => events.filter((event) => event.data.entity_id === home).length >= 2, 15_000, 'the anomaly events in Home Assistant');
    const eventTimes = events.filter((event) => event.data.entity_id === home).map((event) => Number(event.data.ts));
    assert.deepEqual(eventTimes, [readings.answered.ts, readings.after.ts], 'Home Assistant heard of the first and the last, not the answered pattern');
    assert.deepEqual(errors.map((msg) => msg.error.message), []);
  });
});
