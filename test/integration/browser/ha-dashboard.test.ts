import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { scoreSensorId } from '../../../core/ha/notify/alert-plan';
import { hourMs } from '../../../core/units';
import { openBrowser, screenshotPath, type BrowserSession } from '../../support/browser';
import { stackDir } from '../../support/stack';
import { collect, ha, helper, loadFlow, rest, serverNode, setState, statuses, waitFor } from '../ha/support';

// The household's view: a person logs into the stack's Home Assistant as its owner and opens the
// Stream Smarts dashboard, fed by the real notify node. Screenshots in artifacts/browser/.
const meter = 'sensor.simulated_home_energy';
const scoreSensor = scoreSensorId(meter);

function scored(ts: number, value: number, score: number): Record<string, unknown> {
  return { entity_id: meter, friendly_name: 'Simulated home energy', ts, value, unit: 'kWh', kind: 'energy', hour: new Date(ts).getHours(), interval_s: 3600, score, anomaly_score: 0.5, anomaly: score > 1, expected: 0.35, model: 'browser-test' };
}

interface HistoryState {
  state: string;
}

describe('the household opens the Stream Smarts dashboard in Home Assistant', () => {
  let session: BrowserSession;
  before(async () => {
    session = await openBrowser();
  });
  after(async () => {
    await session?.close();
    await helper.unload();
  });

  it('logs in as the owner and sees the score below and above 1, the alert, and the last reading against what was expected', { timeout: 180_000 }, async () => {
    await setState(meter, 1234.5, { unit_of_measurement: 'kWh', device_class: 'energy', state_class: 'total_increasing', friendly_name: 'Simulated home energy' });
    await loadFlow([serverNode('server', ha().url), { id: 'notify', type: 'smarts-ha-notify', server: 'server', services: 'notify.stack_file', cooldown: 0, wires: [['out'], []] }, { id: 'out', type: 'helper' }], { server: { token: ha().token } });
    const seen = statuses(helper.getNode('notify'));
    await waitFor(() => seen.some((status) => /^connected/.test(status.text ?? '')), 15_000, 'the notify node connected');
    const out = collect(helper.getNode('out'));
    const hour = Math.floor(Date.now() / hourMs) * hourMs;
    const scores = [0.42, 2.6, 0.55];
    for (const [index, score] of scores.entries()) {
      helper.getNode('notify').receive({ payload: scored(hour - (scores.length - index) * hourMs, score > 1 ? 3.1 : 0.4, score) });
      await waitFor(() => out.length === index + 1, 15_000, `the outcome of score ${score}`);
      await new Promise((resolve) => setTimeout(resolve, 1500));
    }
    const since = new Date(Date.now() - 10 * 60_000).toISOString();
    const [history] = await rest<HistoryState[][]>('GET', `/api/history/period/${since}?filter_entity_id=${scoreSensor}`);
    const values = (history ?? []).map((state) => Number(state.state)).filter(Number.isFinite);
    assert.ok(values.some((value) => value < 1) && values.some((value) => value > 1), `the sensor's history has points on both sides of 1: ${values.join(', ')}`);

    const { page } = session;
    const owner = JSON.parse(readFileSync(join(stackDir(), 'ha', 'owner.json'), 'utf8')) as { username: string; password: string };
    await page.goto(`${ha().url}/lovelace/stream-smarts`);
    await page.locator('input[name="username"]').fill(owner.username);
    await page.locator('input[name="password"]').fill(owner.password);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/lovelace\/stream-smarts/, { timeout: 30_000 });

    const graph = page.locator('hui-history-graph-card');
    await graph.waitFor({ timeout: 30_000 });
    await waitFor(async () => (await graph.locator('ha-chart-base, state-history-charts canvas').count()) > 0, 30_000, 'the score chart drawn');
    assert.equal(await graph.getByText('No state history found').count(), 0);
    // the markdown card renders inside shadow roots: getByText pierces them, innerText does not
    const lastReading = page.getByText(/Last hour: 0\.4 kWh, about 0\.35 expected \(as usual, score 0\.55\)\. Last unusual hour: /);
    await lastReading.waitFor({ timeout: 30_000 });
    assert.equal(await page.getByText('The energy meter is offline').count(), 0, 'the meter is online: the offline notice is hidden');
    await page.waitForTimeout(1500);
    await page.screenshot({ path: screenshotPath('ha-dashboard'), fullPage: true });

    // the alert, as the household finds it in Home Assistant's notifications
    await page.getByText('Notifications', { exact: true }).click();
    await page.getByText(/Unusual energy use: 3\.1 kWh between \d\d:00 and \d\d:00, about 0\.35 expected/).first().waitFor({ timeout: 20_000 });
    assert.ok((await page.getByText('Stream Smarts: Simulated home energy').count()) > 0, 'the alert titled with the meter\'s name');
    await page.waitForTimeout(1000); // the drawer slides in
    await page.screenshot({ path: screenshotPath('ha-notifications') });
  });
});
