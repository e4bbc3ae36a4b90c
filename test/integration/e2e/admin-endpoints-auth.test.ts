import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SettingsNodeRed } from '../../support/node-red-settings-process';

// The plugin's admin endpoints in a real Node-RED with adminAuth on, as a user who secures the
// editor has it: no token, a token without the node's permission, and one with it.
const endpoints = ['/smarts-ha-server/server/entities', '/smarts-ha-server/server/notify-services', '/smarts-anomaly/anomaly/series', '/smarts-anomaly/anomaly/series/seed.power'];
const password = 'correct horse battery staple';

/** Hashed with the bcryptjs Node-RED itself uses to check adminAuth passwords. */
async function bcryptHash(secret: string): Promise<string> {
  const nodeRedDir = join(require.resolve('node-red/package.json'), '..');
  const bcrypt = (await import(require.resolve('bcryptjs', { paths: [nodeRedDir] }))) as { hashSync(secret: string, rounds: number): string };
  return bcrypt.hashSync(secret, 8);
}

describe('admin endpoints with adminAuth on (a real Node-RED process)', () => {
  const nodeRed = new SettingsNodeRed();
  let url = '';

  before(async () => {
    const hash = await bcryptHash(password);
    await nodeRed.start(
      {
        credentialSecret: false,
        logging: { console: { level: 'info' } },
        adminAuth: {
          type: 'credentials',
          users: [
            { username: 'owner', password: hash, permissions: '*' },
            { username: 'viewer', password: hash, permissions: 'read' },
            { username: 'flows-only', password: hash, permissions: ['flows.read'] },
          ],
        },
      },
      [
        { id: 'tab', type: 'tab', label: 'auth' },
        // no token: the server node answers the picker with its own configuration error (404), never 401, to a permitted user
        { id: 'server', type: 'smarts-ha-server', name: 'HA', url: 'http://127.0.0.1:9', addon: false },
        { id: 'anomaly', type: 'smarts-anomaly', z: 'tab', x: 200, y: 100, name: '', mapping: 'seed.power=seed-hour-profile', sensitivity: 'normal', trainDays: 14, retrainHours: 24, saveModels: false, wires: [[], [], []] },
      ],
    );
    url = nodeRed.url;
  });

  after(() => nodeRed.stop());

  /** A token with the scope the user is allowed (Node-RED refuses a wider one). */
  async function tokenFor(username: string, scope: string): Promise<string> {
    const response = await fetch(`${url}/auth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'node-red-admin', grant_type: 'password', scope, username, password }).toString(),
    });
    assert.equal(response.status, 200, `login as ${username}`);
    return ((await response.json()) as { access_token: string }).access_token;
  }

  async function answerOf(path: string, token?: string): Promise<{ status: number; body: string }> {
    const response = await fetch(`${url}${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
    return { status: response.status, body: await response.text() };
  }

  async function statusOf(path: string, token?: string): Promise<number> {
    return (await answerOf(path, token)).status;
  }

  it('refuses every endpoint without a token', { timeout: 30_000 }, async () => {
    for (const path of endpoints) assert.equal(await statusOf(path), 401, path);
  });

  it("refuses a user whose permissions do not include the node's read permission", { timeout: 30_000 }, async () => {
    const token = await tokenFor('flows-only', 'flows.read');
    assert.equal(await statusOf('/flows', token), 200, 'the user is logged in and may read flows');
    for (const path of endpoints) assert.equal(await statusOf(path, token), 401, path);
  });

  it('answers a read-only user and the owner', { timeout: 30_000 }, async () => {
    for (const [username, scope] of [
      ['viewer', 'read'],
      ['owner', '*'],
    ] as const) {
      const token = await tokenFor(username, scope);
      const entities = await answerOf('/smarts-ha-server/server/entities', token);
      assert.equal(entities.status, 404, `${username}: ${entities.body}`);
      assert.match(entities.body, /token/i, `${username}: the server node's own answer (it has no token)`);
      assert.equal(await statusOf('/smarts-anomaly/anomaly/series', token), 200, `${username}: the anomaly node's series`);
      assert.equal(await statusOf('/smarts-anomaly/anomaly/series/seed.power', token), 200, `${username}: seed.power's model`);
    }
  });
});
