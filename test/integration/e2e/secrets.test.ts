import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SettingsNodeRed } from '../../support/node-red-settings-process';
import { stackInfo } from '../../support/stack';

// A user deploys, through the editor's API, a Kafka broker with the right SASL password, one with a
// wrong one, and a Home Assistant server with a revoked token; every log line is kept (debug, with
// kafkajs's own lines at debug). None of the secrets may appear in the log, the exported flow or
// flows.json; flows_cred.json holds them encrypted.
describe('secrets stay in Node-RED credentials (a real Node-RED process, the real broker and HA)', () => {
  const nodeRed = new SettingsNodeRed();
  const info = stackInfo();
  const rightPassword = info.kafka.scram.password;
  const wrongPassword = `wrong-${rightPassword.slice(0, 6)}-password`;
  const revokedToken = `${info.ha.token.slice(0, 20)}revoked.not-a-valid-signature`;
  const secrets = [rightPassword, wrongPassword, revokedToken];

  before(async () => {
    await nodeRed.start({ credentialSecret: 'a-test-secret-for-flows-cred', logging: { console: { level: 'debug' } } });
    const broker = (id: string, password: string) => ({
      id,
      type: 'smarts-kafka-broker',
      name: `${id} (SASL)`,
      brokers: info.kafka.saslBrokers.join(','),
      saslMechanism: 'scram-sha-256',
      logLevel: 'debug',
      credentials: { username: info.kafka.scram.username, password },
    });
    const flows = [
      { id: 'tab', type: 'tab', label: 'secrets' },
      broker('good-broker', rightPassword),
      broker('bad-broker', wrongPassword),
      { id: 'server', type: 'smarts-ha-server', name: 'HA', url: info.ha.url, addon: false, credentials: { token: revokedToken } },
      { id: 'in-good', type: 'smarts-kafka-in', z: 'tab', x: 200, y: 100, broker: 'good-broker', topics: 'secrets-test', groupId: `secrets-${Date.now()}`, format: 'json', wires: [[]] },
      { id: 'in-bad', type: 'smarts-kafka-in', z: 'tab', x: 200, y: 200, broker: 'bad-broker', topics: 'secrets-test', groupId: `secrets-bad-${Date.now()}`, format: 'json', wires: [[]] },
      { id: 'meter', type: 'smarts-ha-meter', z: 'tab', x: 200, y: 300, server: 'server', entities: 'sensor.home_energy', interval: '3600', output: 'intervals', offlineGrace: 15, wires: [[], []] },
    ];
    const deployed = await fetch(`${nodeRed.url}/flows`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
      body: JSON.stringify(flows),
    });
    assert.equal(deployed.status, 204, await deployed.text());
    // the refusals have happened once they are logged (Node-RED logs node errors with the node's name)
    await nodeRed.waitForLog(/refused the access token/, 60_000);
    await nodeRed.waitForLog(/good-broker \(SASL\)\] kafkajs .*authentication successful/i, 60_000);
    await nodeRed.waitForLog(/bad-broker \(SASL\)\].*(authentication failed|authentication refused)/i, 60_000);
  });

  after(() => {
    if (process.env.DUMP_LOG) writeFileSync(process.env.DUMP_LOG, nodeRed.log);
    nodeRed.stop();
  });

  it('no secret in the Node-RED log, kafkajs debug lines and refusals included', () => {
    assert.match(nodeRed.log, /\[debug\]|\[trace\]|kafkajs/i, 'debug logging reached the log');
    for (const secret of secrets) assert.ok(!nodeRed.log.includes(secret), `a secret (${secret.length} chars) is in the log`);
  });

  it('no secret in the flow the editor exports, nor in flows.json', async () => {
    const exported = await (await fetch(`${nodeRed.url}/flows`, { headers: { 'Node-RED-API-Version': 'v2' } })).text();
    const onDisk = readFileSync(join(nodeRed.userDir, 'flows.json'), 'utf8');
    assert.match(exported, /good-broker/);
    for (const secret of secrets) {
      assert.ok(!exported.includes(secret), 'a secret is in the exported flow');
      assert.ok(!onDisk.includes(secret), 'a secret is in flows.json');
    }
  });

  it('flows_cred.json keeps them, encrypted', () => {
    const credentials = JSON.parse(readFileSync(join(nodeRed.userDir, 'flows_cred.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(typeof credentials.$, 'string', 'Node-RED encrypted the credentials');
    const raw = JSON.stringify(credentials);
    for (const secret of secrets) assert.ok(!raw.includes(secret), 'a secret is in flows_cred.json in clear');
  });
});
