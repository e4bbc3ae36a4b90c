import { chromium } from 'playwright-core';
const ctx = await chromium.launchPersistentContext('/tmp/demo-try/profile3', { executablePath: '/usr/bin/chromium', headless: true, viewport: { width: 1600, height: 900 }, args: ['--no-sandbox', '--disable-gpu'] });
const page = ctx.pages()[0];
await page.goto('http://127.0.0.1:18801/');
await page.locator('#red-ui-workspace-chart svg').waitFor({ timeout: 30000 });
await page.waitForTimeout(3000);
for (const id of ['ss_demo_meter', 'ss_demo_raw_out', 'ss_demo_raw_in', 'ss_demo_anomaly', 'ss_demo_scored_out', 'ss_demo_notify', 'ss_demo_history']) {
  const t = page.locator(`[id="${id}"] .red-ui-flow-node-status-label`);
  console.log(id, await t.count() ? await t.first().textContent() : '');
}
await ctx.close();
