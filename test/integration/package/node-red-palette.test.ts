import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { projectRoot, stackInfo } from '../../support/stack';
import { freePort, nodeRedEnv } from '../e2e/support/node-red';

// The package as the palette manager installs it: the packed tarball, `npm install`ed into a
// clean Node-RED user directory (no link to this checkout), then the real Node-RED (whichever
// `node-red` this test process resolves: 4.1 on Node.js 20, or 5 on Node.js 22 under
// `scripts/test.mjs --node-red 5`) started on it with the demo flow against the real stack.

const packageName = 'node-red-contrib-stream-smarts';
const nodeTypes = ['smarts-ha-server', 'smarts-ha-meter', 'smarts-ha-notify', 'smarts-kafka-broker', 'smarts-kafka-out', 'smarts-kafka-in', 'smarts-anomaly'];
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;
type FlowNode = Record<string, unknown> & { id: string; type: string };
type Prepare = { prepareUserDir(options: { userDir: string; flowFile: string; credentialSecret: string; modelsFrom?: string }): { modelDir: string } };

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
}

async function topicHasRecords(kafka: Kafka, topic: string): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.some((partition) => Number(partition.high) > 0);
  } catch {
    return false;
  } finally {
    await admin.disconnect();
  }
}

describe('the packed package in a clean Node-RED user directory', { timeout: 600_000 }, () => {
  const info = stackInfo();
  const run = randomBytes(4).toString('hex');
  const meter = `sensor.palette_${run}_energy`;
  const topics = { raw_mwh: `palette-raw-${run}`, scored_power: `palette-scored-${run}`, anomaly_power: `palette-anomaly-${run}` };
  const scratch = mkdtempSync(join(tmpdir(), 'stream-smarts-palette-'));
  const userDir = join(scratch, 'node-red');
  const kafka = new Kafka({ brokers: info.kafka.brokers, clientId: 'palette-test', logLevel: logLevel.NOTHING });
  let child: ChildProcess | undefined;
  let log = '';
  let url = '';

  const setMeter = (kwh: number) =>
    fetch(`${info.ha.url}/api/states/${meter}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${info.ha.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ state: String(kwh), attributes: { unit_of_measurement: 'kWh', device_class: 'energy', state_class: 'total_increasing' } }),
    });

  before(async () => {
    npm(['pack', '--ignore-scripts', '--pack-destination', scratch], projectRoot());
    const tarball = readdirSync(scratch).find((name) => name.endsWith('.tgz'));
    assert.ok(tarball, 'npm pack wrote a tarball');
    execFileSync('mkdir', ['-p', userDir]);
    writeFileSync(join(userDir, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true }));
    // as Node-RED's palette manager does it: npm install in the user directory; tfjs-node (optional) left out, as on musl
    npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--omit=optional', '--ignore-scripts', join(scratch, tarball)], userDir);

    let flow = readFileSync(join(userDir, 'node_modules', packageName, 'flows', 'stream-smarts-demo.json'), 'utf8');
    for (const [shipped, own] of Object.entries(topics)) flow = flow.replaceAll(`"${shipped}"`, `"${own}"`);
    flow = flow.replaceAll('sensor.home_energy', meter);
    // The fresh meter has no 28 days of history to learn from: no "learn at start"; instead one
    // reading into the raw producer, the first send to a topic that does not exist yet.
    const nodes = (JSON.parse(flow) as FlowNode[]).filter((node) => !(node.type === 'inject' && node.topic === 'history'));
    const producer = nodes.find((node) => node.type === 'smarts-kafka-out' && node.topic === topics.raw_mwh);
    assert.ok(producer, 'the demo flow has its raw producer');
    nodes.push({ id: `inject-${run}`, type: 'inject', z: producer.z, x: 120, y: 700, once: true, onceDelay: '2', repeat: '', topic: '', payload: '{"hour":3,"mwh":321}', payloadType: 'json', wires: [[producer.id]] });
    writeFileSync(join(scratch, 'demo-flow.json'), JSON.stringify(nodes));
    const secret = randomBytes(16).toString('hex');
    const { prepareUserDir } = (await importEsm(join(projectRoot(), 'scripts', 'node-red', 'prepare-userdir.mjs'))) as Prepare;
    const prepared = prepareUserDir({ userDir, flowFile: join(scratch, 'demo-flow.json'), credentialSecret: secret, modelsFrom: join(userDir, 'node_modules', packageName, 'models') });

    await setMeter(1.25);
    // a minimal settings file, as a fresh Node-RED install has (the credential secret from the environment)
    writeFileSync(
      join(userDir, 'settings.js'),
      `module.exports = { uiHost: '127.0.0.1', uiPort: Number(process.env.STREAM_SMARTS_NODE_RED_PORT), flowFile: 'flows.json', credentialSecret: process.env.STREAM_SMARTS_CREDENTIAL_SECRET, logging: { console: { level: 'info' } } };\n`,
    );
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const redJs = join(require.resolve('node-red/package.json'), '..', 'red.js');
    child = spawn(process.execPath, [redJs, '--settings', join(userDir, 'settings.js'), '--userDir', userDir], {
      cwd: userDir,
      env: nodeRedEnv(info, {
        STREAM_SMARTS_CREDENTIAL_SECRET: secret,
        STREAM_SMARTS_NODE_RED_PORT: String(port),
        STREAM_SMARTS_MODEL_DIR: prepared.modelDir,
        STREAM_SMARTS_HISTORY_ENTITIES: meter,
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk) => (log += String(chunk)));
    child.stderr?.on('data', (chunk) => (log += String(chunk)));
    const deadline = Date.now() + 120_000;
    while (!/Started flows/.test(log)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`Node-RED did not start:\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });

  after(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGINT');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(scratch, { recursive: true, force: true });
  });

  it('loads all seven nodes from the installed package', async () => {
    const response = await fetch(`${url}/nodes`, { headers: { accept: 'application/json' } });
    const sets = (await response.json()) as Array<{ module: string; types: string[]; enabled: boolean; err?: string }>;
    const ours = sets.filter((set) => set.module === packageName);
    assert.deepEqual(ours.flatMap((set) => set.types).sort(), [...nodeTypes].sort());
    for (const set of ours) assert.ok(set.enabled && !set.err, `${set.types.join(',')}: ${set.err ?? 'disabled'}`);
    assert.match(log, new RegExp(`Node-RED version: v(\\d+)`));
  });

  it('runs the demo flow, sending to new topics, with no [error] or [warn] line and no secret in the log', async () => {
    const deadline = Date.now() + 90_000;
    while (!(await topicHasRecords(kafka, topics.raw_mwh))) {
      assert.ok(Date.now() < deadline, `no reading reached ${topics.raw_mwh}; Node-RED log:\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    // let the consumer join its group and the scorer answer before reading the log
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    // Node-RED's own notice on every install without projects is the one warning allowed
    const flagged = log.split('\n').filter((line) => /\[(error|warn)\]/.test(line) && !/\[warn\] Projects disabled/.test(line));
    assert.deepEqual(flagged, [], `Node-RED log:\n${log}`);
    assert.ok(!log.includes(info.ha.token), 'the Home Assistant token appears in the log');
  });
});
