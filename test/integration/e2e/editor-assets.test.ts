import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { defaultSeriesModels, formatMapping } from '../../../core/anomaly/scoring/mapping';
import { projectRoot, stackInfo } from '../../support/stack';
import { NodeRedProcess } from './support/node-red';

// What a user sees in the editor's palette: every node type of the package with its edit
// dialog, its help text and its icon, as a real Node-RED serves them to the browser.
describe('editor assets in a real Node-RED', { timeout: 90_000 }, () => {
  let nodeRed: NodeRedProcess | undefined;
  after(async () => nodeRed?.stop());

  it('serves each node\'s dialog, help and icon', async () => {
    nodeRed = await NodeRedProcess.start([], {}, stackInfo());
    const pkg = JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { name: string; 'node-red': { nodes: Record<string, string> } };
    const html = await (await fetch(`${nodeRed.url}/nodes`, { headers: { Accept: 'text/html' } })).text();
    for (const type of Object.keys(pkg['node-red'].nodes)) {
      assert.match(html, new RegExp(`data-template-name="${type}"`), `no edit dialog for ${type}`);
      assert.match(html, new RegExp(`data-help-name="${type}"`), `no help text for ${type}`);
      assert.match(html, new RegExp(`registerType\\(\\s*'${type}'`), `no editor registration for ${type}`);
    }
    const icons = [...html.matchAll(/icon:\s*'(smarts-[\w-]+\.svg)'/g)].map((match) => match[1]);
    assert.ok(icons.length >= 5, `expected the package's own icons, found ${icons.join(', ')}`);
    for (const icon of new Set(icons)) {
      const response: Response = await fetch(`${nodeRed.url}/icons/${pkg.name}/${icon}`);
      assert.equal(response.status, 200, `icon ${icon}`);
      assert.match(await response.text(), /<svg/);
    }
  });

  it("gives the editor the runtime's default series → model mapping for a new anomaly node", async () => {
    nodeRed ??= await NodeRedProcess.start([], {}, stackInfo());
    const settings = (await (await fetch(`${nodeRed.url}/settings`)).json()) as { smartsAnomalyMapping?: unknown };
    assert.equal(settings.smartsAnomalyMapping, formatMapping(defaultSeriesModels));
  });
});
