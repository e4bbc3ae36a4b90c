import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { nodeRedUnderTest, openBrowser, screenshotPath, type BrowserSession } from '../../support/browser';
import { projectRoot, stackInfo } from '../../support/stack';
import { NodeRedProcess, type FlowNode } from '../e2e/support/node-red';
import { waitFor } from '../../support/wait';

// A Node-RED user in the real editor (Chromium, a real Node-RED process with the plugin, the
// stack's Home Assistant): finds the nodes, drags one in and deploys it, imports each example,
// reads each node's help, and opens the anomaly node's model chart. Screenshots in artifacts/browser/.
const meterEntity = 'sensor.editor_test_energy';
const meterName = 'Editor test energy';
const examplesDir = join(projectRoot(), 'examples');

function flow(): FlowNode[] {
  return [
    { id: 'editor_tab', type: 'tab', label: 'Editor test' },
    // the credentials' token comes from the environment, as under npm start
    { id: 'editor_ha', type: 'smarts-ha-server', name: 'Stack HA', url: '${STREAM_SMARTS_HA_URL}', heartbeat: 30, insecureTls: false },
    { id: 'editor_anomaly', type: 'smarts-anomaly', z: 'editor_tab', name: '', modelDir: '', mapping: 'seed.power=seed-hour-profile', learnDays: 14, retrainHours: 24, saveModels: false, sensitivity: 'normal', x: 420, y: 100, wires: [[], [], []] },
    ...[3, 4, 5].map((hour) => ({ id: `editor_seed_${hour}`, type: 'inject', z: 'editor_tab', name: `seed ${hour}:00`, props: [{ p: 'payload' }], payload: JSON.stringify({ hour, kwh: hour === 4 ? 1500 : 321 }), payloadType: 'json', repeat: '', once: false, x: 160, y: 60 + hour * 20, wires: [['editor_anomaly']] })),
    // a general (kind other) series, four days of hourly temperatures in one batch: past its warm-up
    { id: 'editor_temperature', type: 'inject', z: 'editor_tab', name: 'temperatures', props: [{ p: 'payload' }], payload: JSON.stringify(temperatures()), payloadType: 'json', repeat: '', once: false, x: 160, y: 240, wires: [['editor_anomaly']] },
    { id: 'editor_fresh', type: 'inject', z: 'editor_tab', name: 'new meter', props: [{ p: 'payload' }], payload: JSON.stringify({ entity_id: 'sensor.editor_fresh', ts: Date.UTC(2024, 0, 1, 12), value: 0.4, unit: 'kWh', kind: 'energy', interval_s: 3600 }), payloadType: 'json', repeat: '', once: false, x: 160, y: 200, wires: [['editor_anomaly']] },
  ];
}

function temperatures(): Record<string, unknown>[] {
  return Array.from({ length: 96 }, (_, hour) => ({ entity_id: 'sensor.editor_temperature', ts: Date.UTC(2024, 0, 1, hour), value: 19 + 2 * Math.sin((2 * Math.PI * hour) / 24), unit: '°C', kind: 'other' }));
}

async function openEditor(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(() => typeof (window as unknown as { RED?: { nodes?: { version?: () => unknown } } }).RED?.nodes?.version === 'function' && document.querySelector('.red-ui-palette-node[data-palette-type="smarts-anomaly"]') !== null, undefined, { timeout: 60_000 });
}

async function searchPalette(page: Page, text: string): Promise<string[]> {
  const search = page.locator('#red-ui-palette-search input');
  await search.fill('');
  // typed key by key, as the palette filters on key presses
  await search.pressSequentially(text);
  await page.waitForTimeout(500);
  return page.$$eval('.red-ui-palette-node[data-palette-type]', (nodes) => nodes.filter((node) => (node as HTMLElement).offsetParent !== null).map((node) => node.getAttribute('data-palette-type') ?? ''));
}

describe('the Node-RED editor with Stream Smarts, in Chromium', () => {
  let nodeRed: NodeRedProcess;
  let session: BrowserSession;
  let meterId = '';
  before(async () => {
    const { url, token } = stackInfo().ha;
    const response = await fetch(`${url}/api/states/${meterEntity}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ state: '1234.5', attributes: { unit_of_measurement: 'kWh', device_class: 'energy', state_class: 'total_increasing', friendly_name: meterName } }),
    });
    assert.ok(response.ok, `HA state set: ${response.status}`);
    nodeRed = await NodeRedProcess.start(flow(), {}, stackInfo());
    session = await openBrowser();
  });
  after(async () => {
    await session?.close();
    await nodeRed?.stop();
  });

  it('palette search finds the nodes by what a user types', { timeout: 120_000 }, async () => {
    const { page } = session;
    await openEditor(page, nodeRed.url);
    const editorVersion = await page.evaluate(() => (window as unknown as { RED: { settings: { version: string } } }).RED.settings.version);
    // Node-RED appends "-git" to its version when a .git directory sits above its node_modules (a clone)
    assert.equal(editorVersion.replace(/-git$/, ''), nodeRedUnderTest(), 'the editor is served by the Node-RED under test');
    const homeAssistant = await searchPalette(page, 'home assistant');
    assert.ok(homeAssistant.includes('smarts-ha-meter') && homeAssistant.includes('smarts-ha-notify'), `home assistant: ${homeAssistant.join(', ')}`);
    const kafka = await searchPalette(page, 'kafka');
    assert.ok(kafka.includes('smarts-kafka-in') && kafka.includes('smarts-kafka-out'), `kafka: ${kafka.join(', ')}`);
    assert.ok(!kafka.includes('smarts-anomaly'));
    const anomaly = await searchPalette(page, 'anomaly');
    assert.ok(anomaly.includes('smarts-anomaly'), `anomaly: ${anomaly.join(', ')}`);
    await page.screenshot({ path: screenshotPath('editor-palette-search-anomaly') });
  });

  it('drags a meter in, picks its entity by typing part of its name, deploys it and shows its status', { timeout: 120_000 }, async () => {
    const { page } = session;
    await searchPalette(page, 'home assistant meter');
    const before = await page.evaluate(() => (window as unknown as { RED: { nodes: { filterNodes(filter: object): unknown[] } } }).RED.nodes.filterNodes({ type: 'smarts-ha-meter' }).length);
    const source = await page.locator('.red-ui-palette-node[data-palette-type="smarts-ha-meter"]').boundingBox();
    const chart = await page.locator('#red-ui-workspace-chart').boundingBox();
    assert.ok(source && chart);
    await page.mouse.move(source.x + source.width / 2, source.y + source.height / 2);
    await page.mouse.down();
    await page.mouse.move(chart.x + 400, chart.y + 320, { steps: 20 });
    await page.mouse.up();
    const id = await page.evaluate(() => {
      const found = (window as unknown as { RED: { nodes: { filterNodes(filter: object): Array<{ id: string }> } } }).RED.nodes.filterNodes({ type: 'smarts-ha-meter' });
      return found.at(-1)?.id ?? '';
    });
    assert.ok(id, 'a meter node was dropped on the workspace');
    meterId = id;
    assert.equal(await page.evaluate(() => (window as unknown as { RED: { nodes: { filterNodes(filter: object): unknown[] } } }).RED.nodes.filterNodes({ type: 'smarts-ha-meter' }).length), before + 1);
    await page.locator(`[id="${id}"] .red-ui-flow-node`).dblclick();
    await page.locator('#node-input-server').waitFor({ state: 'attached' });
    await page.locator('#node-input-server').selectOption('editor_ha');
    await page.locator('#node-input-name').fill('meter from the palette');
    const filter = page.locator('.smarts-picker-filter');
    await filter.fill('editor test');
    const item = page.locator(`.smarts-picker-item[data-entity-id="${meterEntity}"]`);
    await item.waitFor({ timeout: 15_000 });
    assert.match((await item.textContent()) ?? '', new RegExp(meterName));
    await page.screenshot({ path: screenshotPath('editor-entity-picker') });
    await item.click();
    assert.equal(await page.locator('#node-input-entities').inputValue(), meterEntity);
    await page.locator('#node-dialog-ok').click();
    await page.locator('#red-ui-header-button-deploy').click();
    const status = page.locator(`[id="${id}"] .red-ui-flow-node-status-label`);
    await page.waitForFunction((nodeId) => (document.querySelector(`[id="${nodeId}"] .red-ui-flow-node-status-label`)?.textContent ?? '') !== '', id, { timeout: 30_000 });
    const dot = await page.locator(`[id="${id}"] .red-ui-flow-node-status`).getAttribute('class');
    assert.match(dot ?? '', /red-ui-flow-node-status-(dot|ring)-(green|yellow|blue|grey)/, `status dot ${dot} "${await status.textContent()}"`);
    await page.screenshot({ path: screenshotPath('editor-meter-deployed') });
  });

  it('a server added in the dialog and not deployed yet: the picker says to deploy it first', { timeout: 60_000 }, async () => {
    const { page } = session;
    assert.ok(meterId, 'the meter dragged in before');
    await page.locator(`[id="${meterId}"] .red-ui-flow-node`).dblclick();
    await page.locator('#node-input-server').waitFor({ state: 'attached' });
    await page.locator('#node-input-btn-server-add').click();
    await page.locator('#node-config-input-url').fill('http://127.0.0.1:8123');
    await page.locator('#node-config-dialog-ok').click();
    const hint = page.locator('.smarts-picker-hint');
    await page.waitForFunction(() => /Deploy the Home Assistant server first/.test(document.querySelector('.smarts-picker-hint')?.textContent ?? ''), undefined, { timeout: 15_000 });
    assert.ok(await hint.isVisible());
    assert.equal(await page.locator('.smarts-picker-item').count(), 0);
    await page.screenshot({ path: screenshotPath('editor-picker-undeployed-server') });
    await page.locator('#node-dialog-cancel').click();
  });

  it('opens each node\'s help in the sidebar', { timeout: 60_000 }, async () => {
    const { page } = session;
    const pkg = JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } };
    let previous = '';
    for (const type of Object.keys(pkg['node-red'].nodes)) {
      await page.evaluate((nodeType) => (window as unknown as { RED: { sidebar: { help: { show(type: string): void } } } }).RED.sidebar.help.show(nodeType), type);
      // the help panel shows this node's text once loaded (each differs from the one before)
      const handle = await page.waitForFunction(
        (before) => {
          const text = (document.querySelector('.red-ui-sidebar-help-stack .red-ui-help')?.textContent ?? '').trim();
          return text.length > 100 && text !== before ? text : null;
        },
        previous,
        { timeout: 10_000 },
      );
      const text = String(await handle.jsonValue());
      previous = text;
      assert.doesNotMatch(text, /KSQL|seed project|fn > 1\.0/, `help for ${type} speaks to a user`);
    }
    await page.screenshot({ path: screenshotPath('editor-help-smarts-anomaly') });
  });

  for (const file of readdirSync(examplesDir).filter((name) => name.endsWith('.json')).sort()) {
    const name = file.replace(/\.json$/, '');
    it(`imports the example ${name} from Import > Examples`, { timeout: 60_000 }, async () => {
      const { page } = session;
      await openEditor(page, nodeRed.url);
      // the flow's nodes (the config nodes go to the configuration sidebar, not on the flow)
      const expected = (JSON.parse(readFileSync(join(examplesDir, file), 'utf8')) as FlowNode[]).filter((node) => !['tab', 'group', 'junction', 'smarts-ha-server', 'smarts-kafka-broker'].includes(node.type)).length;
      await page.locator('#red-ui-header-button-sidemenu').click();
      await page.locator('#menu-item-import').click();
      await page.locator('#red-ui-clipboard-dialog').waitFor();
      await page.locator('.red-ui-tab', { hasText: 'Examples' }).click();
      const library = page.locator('#red-ui-clipboard-dialog-import-tab-examples');
      await library.locator('.red-ui-treeList-label', { hasText: 'node-red-contrib-stream-smarts' }).first().click();
      // no empty folder beside the examples (HA YAML is not a flow)
      const folders = await library.locator('.red-ui-treeList-label').allTextContents();
      assert.ok(!folders.some((label) => /home-assistant$/.test(label.trim())), `no empty home-assistant folder: ${folders.join(' | ')}`);
      await library.locator('.red-ui-treeList-label', { hasText: name }).first().click();
      await page.locator('#red-ui-clipboard-dialog-import-opt-new').click();
      await page.locator('#red-ui-clipboard-dialog-ok').click();
      const chart = await page.locator('#red-ui-workspace-chart').boundingBox();
      assert.ok(chart);
      // imported nodes follow the mouse until placed
      await page.mouse.move(chart.x + 300, chart.y + 200);
      await page.mouse.click(chart.x + 300, chart.y + 200);
      const imported = await page.evaluate(() => {
        const red = (window as unknown as { RED: { workspaces: { active(): string }; nodes: { filterNodes(filter: object): Array<{ valid?: boolean; type: string; id: string }> } } }).RED;
        const nodes = red.nodes.filterNodes({ z: red.workspaces.active() });
        return { count: nodes.length, invalid: nodes.filter((node) => node.valid === false).map((node) => `${node.type} ${node.id}`) };
      });
      assert.equal(imported.count, expected, `nodes of ${name} on the new flow`);
      assert.deepEqual(imported.invalid, [], `no invalid node in ${name}`);
      await page.waitForTimeout(300);
      await page.screenshot({ path: screenshotPath(`editor-example-${name}`) });
    });
  }

  it("opens the anomaly node's model chart: a series with a model, a general series in °C, and one with none", { timeout: 120_000 }, async () => {
    const { page } = session;
    await openEditor(page, nodeRed.url);
    for (const inject of ['editor_seed_3', 'editor_seed_4', 'editor_seed_5', 'editor_temperature', 'editor_fresh']) {
      const response = await fetch(`${nodeRed.url}/inject/${inject}`, { method: 'POST' });
      assert.equal(response.status, 200, `inject ${inject}`);
    }
    // the dialog lists the series the node has when it opens: wait until it has scored all three
    await waitFor(async () => ((await (await fetch(`${nodeRed.url}/smarts-anomaly/editor_anomaly/series`)).json()) as string[]).length >= 3, 60_000, 'the anomaly node to know the three series (the first loads tfjs)');
    await page.locator('[id="editor_anomaly"] .red-ui-flow-node').dblclick();
    const series = page.locator('#smarts-anomaly-series');
    await page.waitForFunction(() => document.querySelectorAll('#smarts-anomaly-series option').length >= 4, undefined, { timeout: 15_000 });
    await series.selectOption('seed.power');
    await page.locator('#smarts-anomaly-chart svg .smarts-band').waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('#smarts-anomaly-chart svg .smarts-score').count(), 3);
    assert.equal(await page.locator('#smarts-anomaly-chart svg .smarts-score-one').count(), 1);
    assert.match((await page.locator('#smarts-anomaly-model-info').textContent()) ?? '', /last trained/);
    assert.match((await page.locator('#smarts-anomaly-preview').textContent()) ?? '', /high would have raised 1 alert, normal 1, low 1/);
    await page.locator('#smarts-anomaly-chart').scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('editor-anomaly-model-chart') });
    await series.selectOption('sensor.editor_temperature');
    await page.waitForFunction(() => /forecast of each reading/.test(document.querySelector('#smarts-anomaly-model-info')?.textContent ?? ''), undefined, { timeout: 10_000 });
    await page.locator('#smarts-anomaly-chart svg .smarts-band').waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('#smarts-anomaly-chart svg .smarts-score').count(), 96);
    const labels = await page.locator('#smarts-anomaly-chart svg text').allTextContents();
    assert.ok(labels.some((label) => label.endsWith(' °C')) && !labels.some((label) => label.includes('kWh')), `labels: ${labels.join(', ')}`);
    await page.locator('#smarts-anomaly-chart').scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('editor-anomaly-general-chart') });
    await series.selectOption('sensor.editor_fresh');
    await page.waitForFunction(() => document.querySelector('#smarts-anomaly-model-info')?.getAttribute('data-state') === 'no-model', undefined, { timeout: 10_000 });
    assert.match((await page.locator('#smarts-anomaly-model-info').textContent()) ?? '', /No model yet for sensor\.editor_fresh/);
    assert.equal(await page.locator('#smarts-anomaly-chart svg').count(), 0);
    await page.screenshot({ path: screenshotPath('editor-anomaly-no-model') });
    await page.locator('#node-dialog-cancel').click();
  });
});
