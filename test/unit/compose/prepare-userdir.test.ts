import { strict as assert } from 'node:assert';
import { createDecipheriv, createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { projectRoot } from '../../support/stack';

const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;
type Prepare = (options: Record<string, unknown>) => { flowsFile: string; credentialsFile: string; modelDir: string; copied: boolean; reason: string | null };

/** Node-RED's own decryption of flows_cred.json (@node-red/runtime lib/nodes/credentials.js). */
function decrypt(secret: string, file: string): unknown {
  const { $: text } = JSON.parse(readFileSync(file, 'utf8')) as { $: string };
  const key = createHash('sha256').update(secret).digest();
  const decipher = createDecipheriv('aes-256-ctr', key, Buffer.from(text.slice(0, 32), 'hex'));
  return JSON.parse(decipher.update(text.slice(32), 'base64', 'utf8') + decipher.final('utf8'));
}

describe('Node-RED user directory for npm start and Docker', () => {
  const root = projectRoot();
  const userDir = mkdtempSync(join(tmpdir(), 'prepare-userdir-'));
  after(() => rmSync(userDir, { recursive: true, force: true }));

  it('copies the demo flow, writes credentials that are only ${ENV} references, links models and the plugin', async () => {
    const { prepareUserDir } = (await importEsm(join(root, 'scripts', 'node-red', 'prepare-userdir.mjs'))) as { prepareUserDir: Prepare };
    const flowFile = join(root, 'flows', 'stream-smarts-demo.json');
    const first = prepareUserDir({ userDir, flowFile, credentialSecret: 's3cret', pluginDir: root, modelsFrom: join(root, 'models') });
    assert.equal(first.copied, true);
    assert.equal(readFileSync(first.flowsFile, 'utf8'), readFileSync(flowFile, 'utf8'));
    assert.deepEqual(decrypt('s3cret', first.credentialsFile), { ss_demo_ha: { token: '${STREAM_SMARTS_HA_TOKEN}' } });
    assert.equal(realpathSync(join(first.modelDir, 'seed-hour-profile')), realpathSync(join(root, 'models', 'seed-hour-profile')));
    assert.equal(realpathSync(join(userDir, 'node_modules', 'node-red-contrib-stream-smarts')), realpathSync(root));

    assert.equal(prepareUserDir({ userDir, flowFile, credentialSecret: 's3cret' }).reason, 'unchanged');
    const newerShipped = join(userDir, 'newer-demo.json');
    writeFileSync(newerShipped, JSON.stringify([{ id: 'c', type: 'comment' }]));
    const updated = prepareUserDir({ userDir, flowFile: newerShipped, credentialSecret: 's3cret' });
    assert.deepEqual([updated.copied, updated.reason], [true, 'updated'], 'an untouched copy follows the shipped flow');
    writeFileSync(first.flowsFile, '[]');
    const again = prepareUserDir({ userDir, flowFile, credentialSecret: 'new-secret' });
    assert.deepEqual([again.copied, again.reason], [false, 'edited'], "the user's own edits are kept");
    assert.equal(readFileSync(again.flowsFile, 'utf8'), '[]');
    assert.deepEqual(decrypt('new-secret', again.credentialsFile), {});
    assert.equal(prepareUserDir({ userDir, flowFile, credentialSecret: 'x', resetFlow: true }).copied, true);
    assert.ok(existsSync(first.flowsFile));
    assert.throws(() => prepareUserDir({ userDir, flowFile, credentialSecret: '' }), /credential secret is required/);
  });
});
