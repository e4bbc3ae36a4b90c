import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { Reading } from '../../core/reading';
import { collect, helper, loadFlow, serverNode, sleep, statuses, waitFor } from '../integration/ha/support';
import { PrivateHomeAssistant } from '../support/private-ha';

const intervalMs = 5000;
const tickMs = 500;
const perTick = 0.01;
const meterEntity = 'sensor.home_energy';
const log = (line: string) => process.env.RELIABILITY_VERBOSE && console.log(`[ha-restart] ${line}`);
const round = (value: number) => Math.round(value * 1e6) / 1e6;
const lostStatus = /^disconnected|offline|reconnect/i;

interface ReadingMsg {
  payload: Reading;
}

// Home Assistant itself restarted (a graceful stop, down for a while, started again) while the
// meter counts: the meter node must say it is disconnected, reconnect by itself, catch up on the
// intervals it missed from what Home Assistant recorded, and go on live, with every interval once,
// in order, and the consumption of the whole run (including what accrued while HA was down, which
// the first state after the restart carries) accounted for exactly.
describe('reliability: Home Assistant restarted mid-stream', { timeout: 900_000 }, () => {
  const homeAssistant = new PrivateHomeAssistant();

  before(async () => {
    await homeAssistant.start();
  });
  after(async () => {
    await helper.unload();
    await homeAssistant.remove();
  });

  it('resumes, backfills the gap, repeats no interval and loses no consumption', async () => {
    // A new meter: the private Home Assistant's input_number starts at 0 and the template sensor follows it.
    let meter = 0;
    const setMeter = (value: number) => homeAssistant.callService('input_number', 'set_value', { entity_id: 'input_number.home_energy_meter', value });
    await waitFor(async () => {
      const response = await fetch(`${homeAssistant.url}/api/states/${meterEntity}`, { headers: { authorization: `Bearer ${homeAssistant.token}` } });
      return response.ok && Number(((await response.json()) as { state: string }).state) === meter;
    }, 20_000, `${meterEntity} following the input_number`);

    await loadFlow(
      [
        serverNode('server', homeAssistant.url),
        { id: 'meter', type: 'smarts-ha-meter', server: 'server', entities: meterEntity, interval: intervalMs / 1000, output: 'intervals', wires: [['out']] },
        { id: 'out', type: 'helper' },
        { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
        { id: 'errors', type: 'helper' },
      ],
      { server: { token: homeAssistant.token } },
    );
    const seen = statuses(helper.getNode('meter'));
    const out = collect<ReadingMsg>(helper.getNode('out'));
    const errors = collect<{ error?: { message?: string } }>(helper.getNode('errors'));
    await waitFor(() => out.length >= 1, 30_000, 'a first closed interval');

    // The meter counts every tick whether or not Home Assistant is up; a write that fails (HA down)
    // is simply not seen, and the next one carries what accrued meanwhile.
    let ticks = 0;
    let writes = 0;
    let failedWrites = 0;
    let counting = true;
    const counter = (async () => {
      while (counting) {
        meter = round(meter + perTick);
        ticks += 1;
        try {
          await setMeter(meter);
          writes += 1;
        } catch {
          failedWrites += 1;
        }
        await sleep(tickMs);
      }
    })();

    await sleep(4 * intervalMs);
    const intervalsBefore = out.length;
    const stoppedAt = Date.now();
    await homeAssistant.stop();
    await waitFor(() => seen.some((status) => lostStatus.test(status.text ?? '')), 30_000, 'the meter node showing it lost Home Assistant');
    const disconnectedAt = Date.now();
    await sleep(3 * intervalMs);
    await homeAssistant.start();
    const restartedAt = Date.now();
    log(`Home Assistant down for ${((restartedAt - stoppedAt) / 1000).toFixed(1)} s`);
    await waitFor(() => out.some((msg) => msg.payload.ts >= restartedAt + intervalMs), 90_000, 'live intervals after the restart');
    await sleep(4 * intervalMs);
    counting = false;
    await counter;
    const finalMeter = meter;
    const lastWriteAt = Date.now();
    await waitFor(() => out.some((msg) => msg.payload.ts >= lastWriteAt), 30_000, 'the interval holding the last write closed');

    const readings = out.map((msg) => msg.payload);
    const starts = readings.map((reading) => reading.ts);
    const duplicated = starts.length - new Set(starts).size;
    const outOfOrder = starts.filter((ts, i) => i > 0 && ts <= (starts[i - 1] as number)).length;
    const missing = starts.slice(1).reduce((sum, ts, i) => sum + Math.max(0, (ts - (starts[i] as number)) / intervalMs - 1), 0);
    const counted = round(readings.reduce((sum, reading) => sum + reading.value, 0));
    const backfilled = readings.filter((reading) => reading.backfilled);
    const withinOutage = readings.filter((reading) => reading.ts >= disconnectedAt && reading.ts + intervalMs <= restartedAt);
    log(`stop at ${stoppedAt}, disconnected status at ${disconnectedAt}, restarted at ${restartedAt}`);
    for (const reading of readings) log(`  ${reading.ts} ${reading.value}${reading.backfilled ? ' backfilled' : ''}`);
    for (const error of errors) log(`  to Catch: ${error.error?.message}`);
    if (process.env.RELIABILITY_VERBOSE) {
      const history = await fetch(`${homeAssistant.url}/api/history/period/${new Date(stoppedAt - 30_000).toISOString()}?filter_entity_id=${meterEntity},input_number.home_energy_meter`, { headers: { authorization: `Bearer ${homeAssistant.token}` } });
      for (const states of (await history.json()) as Array<Array<{ entity_id: string; state: string; last_updated: string }>>) {
        log(`  ${states[0]?.entity_id}: ${states.map((state) => `${state.last_updated.slice(14, 23)}=${state.state}`).join(' ')}`);
      }
      log(`statuses: ${seen.map((status) => status.text).join(' | ')}`);
    }
    console.log(
      `ha restart: ${ticks} meter ticks (${writes} written, ${failedWrites} refused while HA was down), ${readings.length} intervals ` +
        `(${intervalsBefore} before the stop, ${backfilled.length} backfilled), missing ${missing}, duplicated ${duplicated}, out of order ${outOfOrder}, ` +
        `consumption counted ${counted} kWh of ${finalMeter} kWh, errors to Catch ${errors.length}`,
    );
    assert.ok(failedWrites > 0, 'the meter counted while Home Assistant was down');
    assert.equal(duplicated, 0, 'no interval twice');
    assert.equal(outOfOrder, 0, 'intervals in order');
    assert.equal(missing, 0, 'no interval missing, the outage included');
    assert.ok(withinOutage.length >= 2, `the intervals of the outage were emitted (${withinOutage.length})`);
    assert.ok(withinOutage.every((reading) => reading.backfilled === true), 'the outage intervals came from the catch-up after the restart');
    assert.equal(counted, finalMeter, 'all consumption counted once, what accrued while HA was down included');
    assert.ok(seen.some((status, i) => i > 0 && /^connected/.test(status.text ?? '') && seen.slice(0, i).some((earlier) => lostStatus.test(earlier.text ?? ''))), 'connected again after the restart');
    assert.deepEqual(errors.map((error) => error.error?.message), [], 'a restart of Home Assistant is not an error of the flow');
  });
});
