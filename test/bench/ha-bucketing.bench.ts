import { IntervalBucketer } from '../../core/ha/bucketer';
import { EntityStreamDecoder } from '../../core/ha/entity-stream';
import { interpretState } from '../../core/ha/meter-entity';
import { hourMs } from '../../core/units';

// Readings per second through the meter's hot path: decode a subscribe_entities change, interpret
// and normalise the state, bucket it. Measures; asserts nothing.
function run(label: string, mode: 'cumulative' | 'rate', count: number): void {
  const decoder = new EntityStreamDecoder();
  const entityId = mode === 'rate' ? 'sensor.power' : 'sensor.energy';
  const attributes = mode === 'rate' ? { unit_of_measurement: 'kW', device_class: 'power' } : { unit_of_measurement: 'Wh', device_class: 'energy' };
  const start = Date.UTC(2026, 0, 1) / 1000;
  decoder.decode({ a: { [entityId]: { s: '0', a: attributes, lc: start } } });
  const bucketer = new IntervalBucketer({ intervalMs: hourMs, mode });
  bucketer.restartAt(start * 1000);
  let intervals = 0;
  const began = process.hrtime.bigint();
  for (let i = 1; i <= count; i += 1) {
    // One state a second: a year of a 1 Hz meter is 31.5 million.
    const [state] = decoder.decode({ c: { [entityId]: { '+': { s: String(mode === 'rate' ? (i % 50) / 10 : i * 0.5), lu: start + i } } } });
    if (!state) continue;
    const interpretation = interpretState(state, undefined);
    if ('reading' in interpretation) intervals += bucketer.push({ ts: state.ts, value: interpretation.reading.value }).closed.length;
  }
  const seconds = Number(process.hrtime.bigint() - began) / 1e9;
  console.log(`${label}: ${count} states in ${seconds.toFixed(3)} s = ${Math.round(count / seconds)} readings/s, ${intervals} hourly intervals closed`);
}

run('cumulative energy (Wh→kWh)', 'cumulative', 1_000_000);
run('power integration (kW→W→kWh)', 'rate', 1_000_000);
