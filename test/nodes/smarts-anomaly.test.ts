import { strict as assert } from 'node:assert';
import { cp, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { adversarialCases, assertWellFormed } from '../unit/core/anomaly/scoring/adversarial-cases';
import { home, londonHome, modelsDir } from '../unit/core/anomaly/fixtures';
import type { ScoredReading } from '../../core/reading';
import { helper, loadNodeModules, type FlowNode, type HelperNode, type NodeModule } from '../support/node-red-helper';
import { waitFor } from '../support/wait';
import { expectedAnswerReadings, markedExpectedNote } from '../support/expected-answer';

function modules(): NodeModule[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const catchNode = require(join(require.resolve('@node-red/nodes/package.json'), '..', 'core', 'common', '25-catch.js')) as NodeModule;
  return [...loadNodeModules('smarts-anomaly'), catchNode];
}

function flow(modelDir: string, extra: Record<string, unknown> = {}): FlowNode[] {
  return [
    { id: 'tab', type: 'tab', label: 'test' },
    { id: 'anomaly', type: 'smarts-anomaly', z: 'tab', modelDir, mapping: 'seed.power=seed-hour-profile', learnDays: 14, retrainHours: 24, saveModels: true, wires: [['all'], ['anomalies'], ['trained']], ...extra },
    { id: 'all', type: 'helper', z: 'tab' },
    { id: 'anomalies', type: 'helper', z: 'tab' },
    { id: 'trained', type: 'helper', z: 'tab' },
    { id: 'catcher', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['errors']] },
    { id: 'errors', type: 'helper', z: 'tab' },
  ];
}

function collect(id: string): Record<string, unknown>[] {
  const messages: Record<string, unknown>[] = [];
  helper.getNode(id).on('input', (msg: never) => messages.push(msg));
  return messages;
}

function statuses(node: HelperNode): { text?: string; fill?: string }[] {
  const seen: { text?: string; fill?: string }[] = [];
  node.on('call:status', (call: never) => seen.push((call as { args: [{ text?: string; fill?: string }] }).args[0]));
  return seen;
}

interface Scored {
  entity_id: string;
  score: number;
  anomaly: boolean;
  anomaly_score: number;
  model: string;
  explanation?: string;
}

describe('smarts-anomaly node', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'smarts-anomaly-node-'));
    await cp(join(modelsDir, 'default'), join(dir, 'default'), { recursive: true });
    await cp(join(modelsDir, 'seed-hour-profile'), join(dir, 'seed-hour-profile'), { recursive: true });
  });
  afterEach(async () => {
    await helper.unload();
    // each test starts without the learned state the node keeps across a redeploy
    await rm(join(dir, '.state'), { recursive: true, force: true });
  });
  after(async () => {
    await helper.unload();
    await rm(dir, { recursive: true, force: true });
  });

  it('scores seed records with the seed table: every reading on output 1, anomalies on output 2', { timeout: 20000 }, async () => {
    await helper.load(modules(), flow(dir));
    const all = collect('all');
    const anomalies = collect('anomalies');
    const seen = statuses(helper.getNode('anomaly'));
    helper.getNode('anomaly').receive({ payload: { hour: 9, kwh: 1500 } });
    helper.getNode('anomaly').receive({ payload: { hour: 4, kwh: 1500 } });
    await waitFor(() => all.length === 2, 10000, 'two scored readings');
    const [normal, odd] = all.map((msg) => msg.payload as Scored);
    assert.equal(normal?.score, 0.6913887506222001);
    assert.equal(odd?.score, 5.458823529411765);
    assert.equal(odd?.entity_id, 'seed.power');
    assert.equal(anomalies.length, 1);
    assert.equal((anomalies[0]?.payload as Scored).score, 5.458823529411765);
    // a high score is a warning (yellow), not an error: Node-RED's red is for errors
    assert.ok(seen.some((status) => status.fill === 'yellow' && /^anomaly · last score 5\.46/.test(status.text ?? '')), JSON.stringify(seen));
    assert.ok(seen.every((status) => status.fill !== 'red'), JSON.stringify(seen));
  });

  it('a late reading (older than the newest, or a repeat) leaves scored with late: true and is counted on the status', { timeout: 20000 }, async () => {
    await helper.load(modules(), flow(dir));
    const all = collect('all');
    const seen = statuses(helper.getNode('anomaly'));
    const ts = Date.UTC(2024, 0, 10, 3);
    const at = (offsetH: number) => ({ entity_id: 'sensor.late', ts: ts + offsetH * 3_600_000, value: 0.2, unit: 'kWh', kind: 'energy', interval_s: 3600 });
    helper.getNode('anomaly').receive({ payload: [at(0), at(2), at(1), at(2)] });
    await waitFor(() => all.length === 1, 10000, 'the scored batch');
    const scored = all[0]?.payload as (Scored & { late?: boolean })[];
    assert.deepEqual(scored.map((reading) => reading.late === true), [false, false, true, true]);
    for (const reading of scored) assert.ok(Number.isFinite(reading.score));
    assert.ok(seen.some((status) => /, 2 late/.test(status.text ?? '')), JSON.stringify(seen));
  });

  it('scores a batch: output 1 the scored array, output 2 only its anomalies; a new series shows learning n/N', { timeout: 20000 }, async () => {
    await helper.load(modules(), flow(dir));
    const all = collect('all');
    const anomalies = collect('anomalies');
    const seen = statuses(helper.getNode('anomaly'));
    const ts = Date.UTC(2024, 0, 10, 3);
    const batch = [
      { entity_id: 'sensor.flat', ts, value: 0.2, unit: 'kWh', kind: 'energy', interval_s: 3600 },
      { entity_id: 'sensor.flat', ts: ts + 3_600_000, value: 20, unit: 'kWh', kind: 'energy', interval_s: 3600 },
    ];
    helper.getNode('anomaly').receive({ payload: batch });
    await waitFor(() => all.length === 1, 10000, 'the scored batch');
    const scored = all[0]?.payload as Scored[];
    assert.equal(scored.length, 2);
    assert.equal(scored[0]?.anomaly, false);
    assert.equal(scored[1]?.anomaly, true, 'a 20 kW hour is extreme for any home');
    assert.match(scored[1]?.explanation ?? '', /extreme for any home/);
    assert.equal((anomalies[0]?.payload as Scored[]).length, 1);
    assert.ok(seen.some((status) => /learning 2\/336/.test(status.text ?? '')), JSON.stringify(seen));
  });

  it('trains a series from a history array with topic "train" (today\'s flows), with progress; the report leaves on output 3 only; it saves its folder and scores with it', { timeout: 120000 }, async () => {
    await helper.load(modules(), flow(dir));
    const all = collect('all');
    const anomalies = collect('anomalies');
    const trained = collect('trained');
    const seen = statuses(helper.getNode('anomaly'));
    const series = home(londonHome, 28);
    const history = series.rows.map((row) => ({ entity_id: 'sensor.london', ts: row.ts, value: row.value, unit: 'kWh', kind: 'energy', interval_s: 1800 }));
    helper.getNode('anomaly').receive({ topic: 'train', payload: history });
    await waitFor(() => trained.length === 1, 100000, 'the training report');
    assert.equal(trained[0]?.topic, 'trained');
    const report = trained[0]?.payload as { entity_id: string; background: boolean; points: number };
    assert.equal(report.entity_id, 'sensor.london');
    assert.equal(report.background, false);
    assert.ok(report.points > 1000);
    assert.ok(seen.some((status) => /training sensor\.london \d+%/.test(status.text ?? '')), 'progress on the status');
    assert.ok((await stat(join(dir, 'sensor.london', 'model.json'))).isFile());
    const last = series.rows[series.rows.length - 1]!;
    helper.getNode('anomaly').receive({ payload: { entity_id: 'sensor.london', ts: last.ts + 1_800_000, value: last.value, unit: 'kWh', kind: 'energy', interval_s: 1800 } });
    await waitFor(() => all.length === 1, 10000, 'a reading scored by the trained model');
    assert.match((all[0]?.payload as Scored).model, /^home@1:sensor\.london/);
    assert.equal(anomalies.length + trained.length, 1, 'no report among the scores');
  });

  it('sensitivity scales what alerts: the same training scores the same reading 1.6 x lower at "low" than at "high"', { timeout: 120000 }, async () => {
    const own = await mkdtemp(join(tmpdir(), 'smarts-anomaly-sensitivity-'));
    await cp(join(modelsDir, 'default'), join(own, 'default'), { recursive: true });
    try {
      const series = home(londonHome, 28);
      const last = series.rows[series.rows.length - 1]!;
      const night = new Date(last.ts);
      night.setHours(27, 0, 0, 0);
      const odd = { entity_id: 'sensor.sensitive', ts: night.getTime(), value: 1.2, unit: 'kWh', kind: 'energy', interval_s: 1800 };
      const scoreAt = async (sensitivity: string): Promise<Scored> => {
        await rm(join(own, '.state'), { recursive: true, force: true });
        await helper.load(modules(), flow(own, { sensitivity, saveModels: false }));
        const all = collect('all');
        const trained = collect('trained');
        const history = series.rows.map((row) => ({ entity_id: 'sensor.sensitive', ts: row.ts, value: row.value, unit: 'kWh', kind: 'energy', interval_s: 1800 }));
        helper.getNode('anomaly').receive({ topic: 'train', payload: history });
        await waitFor(() => trained.length === 1, 100000, 'the training report');
        helper.getNode('anomaly').receive({ payload: odd });
        await waitFor(() => all.some((msg) => (msg.payload as Scored).entity_id === 'sensor.sensitive'), 10000, 'the scored reading');
        const scored = all.find((msg) => (msg.payload as Scored).entity_id === 'sensor.sensitive')!.payload as Scored;
        await helper.unload();
        return scored;
      };
      const high = await scoreAt('high');
      const low = await scoreAt('low');
      assert.match(low.model, /^home@1:/, 'scored by the trained model');
      assert.ok(high.score > 0.5, `2.4 kW at 03:00 scores ${high.score}`);
      assert.ok(Math.abs(high.score / low.score - 1.6) < 1e-6, `high ${high.score}, low ${low.score}`);
    } finally {
      await rm(own, { recursive: true, force: true });
    }
  });

  it('an unknown sensitivity keeps a red status naming the choices, and scoring goes on', { timeout: 20000 }, async () => {
    await helper.load(modules(), flow(dir, { sensitivity: 'paranoid' }));
    const all = collect('all');
    const seen = statuses(helper.getNode('anomaly'));
    helper.getNode('anomaly').receive({ payload: { hour: 3, mwh: 0.2 } });
    await waitFor(() => all.length === 1, 10000, 'the seed record scored');
    assert.ok(seen.length > 0 && seen.every((status) => status.fill === 'red' && /high, normal, low/.test(status.text ?? '')), JSON.stringify(seen));
  });

  it('bad input and bad feedback go to Catch with a red status; good feedback is accepted', { timeout: 20000 }, async () => {
    await helper.load(modules(), flow(dir));
    const errors = collect('errors');
    const seen = statuses(helper.getNode('anomaly'));
    helper.getNode('anomaly').receive({ payload: { entity_id: 'sensor.x', ts: 'noon', value: 1 } });
    await waitFor(() => errors.length === 1, 10000, 'the bad reading at Catch');
    assert.match((errors[0]?.error as { message: string }).message, /'ts' must be a finite number/);
    assert.ok(seen.some((status) => status.fill === 'red' && /bad input/.test(status.text ?? '')));
    helper.getNode('anomaly').receive({ topic: 'feedback', payload: { feedback: 'maybe', entity_id: 'sensor.x', ts: 1 } });
    await waitFor(() => errors.length === 2, 10000, 'the bad feedback at Catch');
    assert.match((errors[1]?.error as { message: string }).message, /"expected" or "investigate"/);
    helper.getNode('anomaly').receive({ payload: [{ entity_id: 'sensor.x', ts: 1, value: 1, unit: 'parsecs', kind: 'energy' }] });
    await waitFor(() => errors.length === 3, 10000, 'the unknown unit at Catch');
    assert.match((errors[2]?.error as { message: string }).message, /unit 'parsecs'/);
  });

  for (const [how, answer] of [
    ['as the notify node sends it (topic: the entity id)', (payload: object) => ({ topic: 'sensor.answered', payload })],
    ["with today's topic \"feedback\"", (payload: object) => ({ topic: 'feedback', payload })],
  ] as const) {
    it(`an "expected" answer ${how} keeps that pattern from alerting for two retrain intervals`, { timeout: 20000 }, async () => {
      await helper.load(modules(), flow(dir));
      const all = collect('all');
      const errors = collect('errors');
      const anomaly = helper.getNode('anomaly');
      const readings = expectedAnswerReadings('sensor.answered', Date.UTC(2024, 4, 1, 2), 24);
      anomaly.receive({ payload: readings.answered });
      await waitFor(() => all.length === 1, 10000, 'the first extreme hour scored');
      assert.equal((all[0]?.payload as Scored).anomaly, true);
      anomaly.receive(answer({ feedback: 'expected', entity_id: 'sensor.answered', ts: readings.answered.ts }));
      anomaly.receive({ payload: readings.inside });
      anomaly.receive({ payload: readings.after });
      await waitFor(() => all.length === 3, 10000, 'the next two scored');
      const [inside, after] = all.slice(1).map((msg) => msg.payload as Scored);
      assert.deepEqual([inside?.anomaly, inside?.score, inside?.explanation], [false, 0.99, markedExpectedNote]);
      assert.equal(after?.anomaly, true, 'after two retrain intervals the pattern alerts again');
      assert.deepEqual(errors, []);
      assert.ok(!JSON.stringify(helper.log().args).includes('no such reading'), 'the answer found its reading');
    });
  }

  it('the meter\'s history answer (topic "history", an array) trains each of its series: a report each on output 3, none among the scores; one too short reaches Catch', { timeout: 120000 }, async () => {
    await helper.load(modules(), flow(dir, { saveModels: false }));
    const all = collect('all');
    const anomalies = collect('anomalies');
    const trained = collect('trained');
    const errors = collect('errors');
    const rows = home(londonHome, 4).rows;
    const history = (entityId: string, count: number) =>
      rows.slice(0, count).map((row) => ({ entity_id: entityId, ts: row.ts, value: row.value, unit: 'kWh', kind: 'energy', hour: new Date(row.ts).getHours(), interval_s: 1800 }));
    const answer = [...history('sensor.from_meter', rows.length), ...history('sensor.too_short', 10), ...history('sensor.second', 100)];
    helper.getNode('anomaly').receive({ topic: 'history', payload: answer });
    await waitFor(() => errors.length === 1, 100000, 'the training done');
    const reports = trained.map((msg) => [msg.topic, (msg.payload as { entity_id: string; points: number }).entity_id, (msg.payload as { points: number }).points]);
    assert.deepEqual(reports, [
      ['trained', 'sensor.from_meter', rows.length],
      ['trained', 'sensor.second', 100],
    ]);
    assert.match((errors[0]?.error as { message: string }).message, /too little history to train sensor\.too_short: 10 readings/);
    assert.equal(all.length + anomalies.length, 0, 'nothing on the score outputs');
  });

  it('a malformed answer recognised by its feedback field goes to Catch with a red status naming what is wrong', { timeout: 20000 }, async () => {
    await helper.load(modules(), flow(dir));
    const errors = collect('errors');
    const all = collect('all');
    const seen = statuses(helper.getNode('anomaly'));
    helper.getNode('anomaly').receive({ topic: 'sensor.x', payload: { feedback: 'yes', entity_id: 'sensor.x', ts: 1 } });
    helper.getNode('anomaly').receive({ topic: 'sensor.x', payload: { feedback: 'expected', entity_id: 'sensor.x', ts: 'yesterday' } });
    await waitFor(() => errors.length === 2, 10000, 'both at Catch');
    assert.match((errors[0]?.error as { message: string }).message, /'feedback' must be "expected" or "investigate", got "yes"/);
    assert.match((errors[1]?.error as { message: string }).message, /'ts' must be epoch ms or an ISO time/);
    assert.ok(seen.some((status) => status.fill === 'red' && /bad input: 'feedback' must be/.test(status.text ?? '')), JSON.stringify(seen));
    assert.equal(all.length, 0, 'not scored as a reading');
  });

  it('every reading of adversarial series (100 ms apart and rising, duplicates, backwards, gaps, extremes) leaves with a finite score', { timeout: 30000 }, async () => {
    await helper.load(modules(), flow(dir));
    const all = collect('all');
    const errors = collect('errors');
    const cases = adversarialCases(7);
    cases.forEach((c, index) => {
      const batch = c.points.map((point) => ({ entity_id: `sensor.adversarial_${index}`, unit: 'kWh', kind: 'energy', ...point }));
      helper.getNode('anomaly').receive({ payload: batch });
    });
    // one at a time too, as the e2e latency bench sends them
    const start = Date.UTC(2024, 2, 1, 9);
    for (let i = 0; i < 50; i += 1) helper.getNode('anomaly').receive({ payload: { entity_id: 'sensor.bench_single', ts: start + i * 100, value: 1 + i * 0.01, unit: 'kWh', kind: 'energy' } });
    await waitFor(() => all.length === cases.length + 50 || errors.length > 0, 20000, 'every batch scored');
    assert.deepEqual(errors.map((msg) => (msg.error as { message?: string }).message), []);
    for (const msg of all) {
      const payload = msg.payload as ScoredReading | ScoredReading[];
      for (const [i, scored] of (Array.isArray(payload) ? payload : [payload]).entries()) assertWellFormed(scored, `${scored.entity_id} #${i}`);
    }
  });
});
