import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { scoreSensorId } from '../../../core/ha/notify/alert-plan';
import { openBrowser, screenshotPath, type BrowserSession } from '../../support/browser';
import type { StackInfo } from '../../support/stack';
import { eventually } from '../e2e/support/ha-socket';
import { NpmStart } from '../e2e/support/npm-start';

// The household's view of the real demo: `npm start` (its own stack, Node-RED with the shipped
// demo flow, the simulated home driving Home Assistant's meter), and a person who opens the
// Node-RED editor and then logs into Home Assistant as its owner and opens the Stream Smarts
// dashboard while it runs. Screenshots in artifacts/browser/.
const meter = 'sensor.home_energy';
const scoreSensor = scoreSensorId(meter);
const demoNodes = {
  ss_demo_meter: /connected · [1-9]\d* sent/,
  ss_demo_raw_out: /connected · sent [1-9]/,
  ss_demo_raw_in: /consuming · [1-9]\d* in/,
  ss_demo_anomaly: /ready · last score \d/,
  ss_demo_scored_out: /connected · sent [1-9]/,
  ss_demo_notify: /connected · [1-9]\d* alerts?/,
  ss_demo_anomaly_out: /connected · sent [1-9]/,
  ss_demo_history: /connected · 0 sent, [1-9]\d* from history/,
};

interface HistoryState {
  state: string;
}

async function haGet<T>(info: StackInfo, path: string): Promise<T> {
  const response = await fetch(`${info.ha.url}${path}`, { headers: { authorization: `Bearer ${info.ha.token}` } });
  assert.equal(response.status, 200, `GET ${path}`);
  return (await response.json()) as T;
}

describe('the household watches the demo in Home Assistant', { timeout: 900_000 }, () => {
  let demo: NpmStart;
  let session: BrowserSession;
  before(async () => {
    demo = await NpmStart.spawn(['--speed', '2', '--anomaly-every', '6', '--history-days', '15']);
    session = await openBrowser();
  });
  after(async () => {
    await session?.close();
    await demo?.cleanUp();
  });

  it('every node of the demo flow counts, and the dashboard shows the score below and above 1 and the alert', async () => {
    await demo.waitOutput('the demo to run', /Stream Smarts is running/, 600_000);
    const info = demo.info();
    const started = new Date().toISOString();
    await demo.waitOutput('an injected anomaly', /injected: /, 120_000);
    // The score sensor's own history, as HA recorded it from the notify node: both sides of 1.
    const values = await eventually(
      'the score sensor below and above 1',
      async () => {
        const [history] = await haGet<HistoryState[][]>(info, `/api/history/period/${started}?filter_entity_id=${scoreSensor}&minimal_response`);
        const scores = (history ?? []).map((state) => Number(state.state)).filter(Number.isFinite);
        return scores.some((score) => score < 1) && scores.some((score) => score > 1) ? scores : undefined;
      },
      180_000,
      1000,
    );
    const lastAlert = await haGet<{ state: string; attributes: { recent?: string[] } }>(info, '/api/states/sensor.stream_smarts_last_alert');
    assert.match(lastAlert.state, /Home energy: \d+(\.\d+)? kWh, about \d+(\.\d+)? expected \(score \d+(\.\d)?\)/);

    const { page } = session;
    // Node-RED: every node of the demo flow shows what it did.
    await page.goto(`http://127.0.0.1:${demo.port}/`);
    await page.locator('#red-ui-workspace-chart svg').waitFor({ timeout: 60_000 });
    for (const [id, pattern] of Object.entries(demoNodes)) {
      const label = page.locator(`[id="${id}"] .red-ui-flow-node-status-label`);
      await eventually(`the status of ${id} matching ${pattern}`, async () => ((await label.count()) > 0 && pattern.test((await label.first().textContent()) ?? '') ? true : undefined), 30_000, 500);
    }
    await page.keyboard.press('Control+Space'); // hide the sidebar: the whole flow in view
    await page.waitForTimeout(500);
    await page.screenshot({ path: screenshotPath('demo-node-red') });

    // Home Assistant, as its owner.
    const owner = demo.owner();
    await page.goto(`${info.ha.url}/lovelace/stream-smarts`);
    await page.locator('input[name="username"]').fill(owner.username);
    await page.locator('input[name="password"]').fill(owner.password);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/lovelace\/stream-smarts/, { timeout: 30_000 });

    const scoreCard = page.locator('hui-history-graph-card').filter({ hasText: 'Anomaly score against its threshold of 1' });
    const useCard = page.locator('hui-history-graph-card').filter({ hasText: 'Energy per hour against what was expected' });
    for (const card of [scoreCard, useCard]) {
      await card.waitFor({ timeout: 30_000 });
      // a line chart (numbers), not a timeline, with both of its series
      await card.locator('state-history-chart-line').waitFor({ timeout: 30_000 });
      assert.equal(await card.getByText('No state history found').count(), 0);
    }
    for (const series of ['Score', 'Threshold (above is unusual)']) await scoreCard.getByText(series, { exact: true }).waitFor({ timeout: 10_000 });
    for (const series of ['Used', 'Expected']) await useCard.getByText(series, { exact: true }).waitFor({ timeout: 10_000 });
    // the markdown cards render inside shadow roots: getByText pierces them, innerText does not
    await page.getByText(/Last hour: \d+(\.\d+)? kWh, about \d+(\.\d+)? expected \((as usual|unusual), score \d/).waitFor({ timeout: 30_000 });
    const alerts = page.locator('hui-markdown-card').filter({ hasText: 'Latest alerts' });
    await alerts.getByText(/Home energy: \d+(\.\d+)? kWh, about \d+(\.\d+)? expected \(score \d/).first().waitFor({ timeout: 30_000 });
    assert.equal(await page.getByText('The energy meter is offline').count(), 0, 'the meter is online: the offline notice is hidden');
    await page.waitForTimeout(1500); // the charts animate in
    await page.screenshot({ path: screenshotPath('ha-dashboard'), fullPage: true });

    // the alert, as the household finds it in Home Assistant's notifications
    await page.getByText('Notifications', { exact: true }).click();
    await page.getByText(/Unusual energy use: \d+(\.\d+)? kWh .*, about \d+(\.\d+)? expected/).first().waitFor({ timeout: 20_000 });
    assert.ok((await page.getByText('Stream Smarts: Home energy').count()) > 0, "the alert titled with the meter's name");
    await page.waitForTimeout(1000); // the drawer slides in
    await page.screenshot({ path: screenshotPath('ha-notifications') });
    assert.ok(values.length >= 2);

    assert.equal(await demo.interrupt(), 0, `npm start did not stop cleanly:\n${demo.output.slice(-3000)}`);
  });
});
