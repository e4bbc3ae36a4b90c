import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Reading, ReadingKind, ScoredReading } from '../../core/reading';
import { acceptedUnits, conversionOf, hourOfDay, unitFactor } from '../../core/units';
import { anomalyModules, collect, useModelDir } from '../support/anomaly-node';
import { helper, type FlowNode } from '../support/node-red-helper';
import { waitFor } from '../support/wait';

function flow(modelDir: string): FlowNode[] {
  return [
    { id: 'tab', type: 'tab', label: 'test' },
    { id: 'anomaly', type: 'smarts-anomaly', z: 'tab', modelDir, learnDays: 14, retrainHours: 24, saveModels: false, wires: [['all'], []] },
    { id: 'all', type: 'helper', z: 'tab' },
    { id: 'catcher', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['errors']] },
    { id: 'errors', type: 'helper', z: 'tab' },
  ];
}

const ts = Date.UTC(2026, 0, 14, 2);
const meterKinds: ReadingKind[] = ['energy', 'power', 'water', 'gas'];

/** One reading per kind and accepted unit, each its own series, all of one canonical unit's worth (0.4 of it). */
function everyUnit(): Reading[] {
  return meterKinds.flatMap((kind) =>
    acceptedUnits(kind).map((unit, index) => ({
      entity_id: `sensor.${kind}_${index}`,
      ts,
      value: 0.4 / unitFactor(kind, unit),
      unit,
      kind,
      hour: hourOfDay(ts),
      interval_s: 3600,
    })),
  );
}

describe('smarts-anomaly node: every kind and unit the meter accepts', () => {
  const modelDir = useModelDir('smarts-anomaly-units-', ['default']);

  it('scores gas (kWh, m³, ft³…), water, energy, power and location readings, expected in the reading’s own unit', { timeout: 30000 }, async () => {
    await helper.load(anomalyModules(), flow(modelDir()));
    const all = collect('all');
    const errors = collect('errors');
    const readings = everyUnit();
    for (const unit of ['kWh', 'm³', 'ft³']) assert.ok(readings.some((r) => r.kind === 'gas' && r.unit === unit), `gas in ${unit} is sent`);
    for (const reading of readings) helper.getNode('anomaly').receive({ payload: reading });
    const location = { entity_id: 'person.anna', ts, value: 2.5, unit: 'km', kind: 'location', hour: hourOfDay(ts), latitude: 51.5, longitude: -0.12 };
    helper.getNode('anomaly').receive({ payload: location });
    await waitFor(() => all.length === readings.length + 1 || errors.length > 0, 20000, 'every reading scored');
    assert.deepEqual(errors.map((msg) => (msg.error as { message?: string }).message), []);
    const scored = all.map((msg) => msg.payload as ScoredReading);
    for (const out of scored) {
      assert.ok(Number.isFinite(out.score) && Number.isFinite(out.expected), `${out.entity_id} in ${out.unit}: score ${out.score}, expected ${out.expected}`);
    }
    assert.ok(scored.some((out) => out.kind === 'location' && out.latitude === 51.5));
    // The same amount in every unit: what is expected, brought back to the canonical unit, agrees.
    const byFamily = new Map<string, number[]>();
    for (const out of scored.filter((s) => s.kind !== 'location')) {
      const family = `${out.kind}:${conversionOf(out.kind, out.unit)?.unit}`;
      byFamily.set(family, [...(byFamily.get(family) ?? []), out.expected * unitFactor(out.kind, out.unit)]);
    }
    assert.deepEqual([...byFamily.keys()].sort(), ['energy:Wh', 'gas:Wh', 'gas:m³', 'power:W', 'water:L']);
    for (const [family, expected] of byFamily) {
      const first = expected[0] as number;
      for (const value of expected) assert.ok(Math.abs(value - first) <= 1e-9 * Math.max(1, Math.abs(first)), `${family}: ${expected.join(', ')}`);
    }
    const energy = byFamily.get('energy:Wh')?.[0] as number;
    assert.ok(energy > 0, `the default model expects some energy at 02:00, got ${energy} Wh`);
  });

  it('fails a reading in a unit it does not know with a clear error at a Catch node', { timeout: 30000 }, async () => {
    await helper.load(anomalyModules(), flow(modelDir()));
    const all = collect('all');
    const errors = collect('errors');
    helper.getNode('anomaly').receive({ payload: { entity_id: 'sensor.gas', ts, value: 1, unit: 'therms', kind: 'gas', interval_s: 3600 } });
    await waitFor(() => errors.length === 1, 10000, 'the unknown unit at Catch');
    assert.match((errors[0]?.error as { message: string }).message, /unit 'therms' cannot be converted to m³ or Wh for a gas reading/);
    assert.equal(all.length, 0);
  });
});
