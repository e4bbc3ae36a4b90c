import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { projectRoot } from '../../support/stack';

// The plugin's admin endpoints in a real Node-RED with adminAuth on, as a user who secures the
// editor has it: no token, a token without the node's permission, and one with it.
const endpoints = ['/smarts-ha-server/server/entities', '/smarts-ha-server/server/notify-services', '/smarts-anomaly/anomaly/series', '/smarts-anomaly/anomaly/series/seed.power'];
const password = 'correct horse battery staple';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function bcryptHash(secret: string): string {
  const nodeRedDir = join(require.resolve('node-red/package.json'), '..');
  const bcrypt = require(require.resolve('bcryptjs', { paths: [nodeRedDir] })) as { hashSync(secret: string, rounds: number): string };
  return bcrypt.hashSync(secret, 8);
}

describe('admin endpoints with adminAuth on (a real Node-RED process)', () => {
  const userDir = mkdtempSync(join(tmpdir(), 'smarts-admin-auth-'));
  let child: ChildProcess | undefined;
  let url = '';
  let log = '';

  before(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const hash = bcryptHash(password);
    const settings = {
      uiHost: '127.0.0.1',
      uiPort: port,
      flowFile: 'flows.json',
      credentialSecret: false,
      nodesDir: [join(projectRoot(), 'dist', 'nodes')],
      logging: { console: { level: 'info' } },
      adminAuth: {
        type: 'credentials',
        users: [
          { username: 'owner', password: hash, permissions: '*' },
          { username: 'viewer', password: hash, permissions: 'read' },
          { username: 'flows-only', password: hash, permissions: ['flows.read'] },
        ],
      },
    };
    writeFileSync(join(userDir, 'settings.js'), `module.exports = ${JSON.stringify(settings)};\n`);
    writeFileSync(
      join(userDir, 'flows.json'),
      JSON.stringify([
        { id: 'tab', type: 'tab', label: 'auth' },
        // no token: the server node answers the picker with its own configuration error (404), never 401, to a permitted user
        { id: 'server', type: 'smarts-ha-server', name: 'HA', url: 'http://127.0.0.1:9', addon: false },
        { id: 'anomaly', type: 'smarts-anomaly', z: 'tab', x: 200, y: 100, name: '', mapping: 'seed.power=seed-hour-profile', sensitivity: 'normal', trainDays: 14, retrainHours: 24, saveModels: false, wires: [[], [], []] },
      ]),
    );
    const redJs = join(require.resolve('node-red/package.json'), '..', 'red.js');
    child = spawn(process.execPath, [redJs, '--userDir', userDir, '--settings', join(userDir, 'settings.js')], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const deadline = Date.now() + 60_000;
    while (!log.includes('Started flows')) {
      assert.ok(Date.now() < deadline, `Node-RED did not start:\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });

  after(() => {
    child?.kill('SIGINT');
    rmSync(userDir, { recursive: true, force: true });
  });

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
