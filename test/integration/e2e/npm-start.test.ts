import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { projectRoot, type StackInfo } from '../../support/stack';
import { eventually } from './support/ha-socket';
import { freePort } from './support/node-red';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function pidsIn(stackDir: string): number[] {
  const run = join(stackDir, 'run');
  if (!existsSync(run)) return [];
  return readdirSync(run)
    .filter((name) => name.endsWith('.pid'))
    .map((name) => Number(readFileSync(join(run, name), 'utf8').trim()))
    .filter((pid) => Number.isInteger(pid) && pid > 0);
}

// `npm start` from a clean state: its own stack directory (so it starts — and must stop — its
// own Kafka and Home Assistant on free ports), Node-RED, the simulated home. Heavy: minutes.
describe('npm start', { timeout: 900_000 }, () => {
  const stackDir = mkdtempSync(join(tmpdir(), 'stream-smarts-start-'));
  let start: ChildProcess | undefined;
  let output = '';
  const seenPids = new Set<number>();

  after(async () => {
    // On a failure npm start is still running: let it stop what it started, then make sure.
    if (start && start.exitCode === null) {
      const stopped = new Promise((resolve) => start!.once('exit', resolve));
      start.kill('SIGINT');
      await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 60_000))]);
      if (start.exitCode === null) start.kill('SIGKILL');
    }
    for (const pid of [...seenPids, ...pidsIn(stackDir)]) if (alive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(stackDir, { recursive: true, force: true });
  });

  it('reaches a running demo, and Ctrl-C leaves nothing running', async () => {
    const ports: number[] = [];
    while (ports.length < 5) {
      const candidate = await freePort();
      if (!ports.includes(candidate)) ports.push(candidate);
    }
    const [port, kafkaPort, controllerPort, saslPort, haPort] = ports.map(String) as [string, string, string, string, string];
    start = spawn(process.execPath, [join(projectRoot(), 'scripts', 'start.mjs'), '--port', port, '--speed', '1', '--anomaly-every', '8', '--history-days', '15', '--no-build'], {
      cwd: projectRoot(),
      // Its own ports, all free, so it starts its own services beside the shared stack.
      env: { ...process.env, STACK_DIR: stackDir, KAFKA_PORT: kafkaPort, KAFKA_CONTROLLER_PORT: controllerPort, KAFKA_SASL_PORT: saslPort, HA_PORT: haPort, STACK_REGISTRY: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => start!.once('exit', (code) => resolve(code)));
    start.stdout?.on('data', (chunk) => (output += String(chunk)));
    start.stderr?.on('data', (chunk) => (output += String(chunk)));
    const waitOutput = async (what: string, pattern: RegExp, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(output)) {
        if (start!.exitCode !== null || Date.now() > deadline) {
          throw new Error(`${start!.exitCode !== null ? 'npm start exited' : 'timed out'} waiting for ${what}\n--- npm start output ---\n${output.slice(-4000)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    };

    await waitOutput('the demo to run', /Stream Smarts is running/, 600_000);
    const info = JSON.parse(readFileSync(join(stackDir, 'stack.json'), 'utf8')) as StackInfo;
    for (const pid of pidsIn(stackDir)) seenPids.add(pid);
    assert.ok(seenPids.size >= 3, 'the stack and Node-RED it started have pid files');
    assert.match(output, new RegExp(`Node-RED editor +http://127\\.0\\.0\\.1:${port}/`));
    assert.equal((await fetch(`http://127.0.0.1:${port}/`)).status, 200);
    const haApi = await fetch(`${info.ha.url}/api/`, { headers: { authorization: `Bearer ${info.ha.token}` } });
    assert.equal(haApi.status, 200);

    // The demo runs: the simulated home's hours are scored and land on scored_power.
    const kafka = new Kafka({ brokers: info.kafka.brokers, clientId: 'npm-start-test', logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: 'npm-start-test' });
    const scored: Array<{ entity_id: string; score: number }> = [];
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: 'scored_power' }] });
    await admin.disconnect();
    await consumer.connect();
    await consumer.subscribe({ topic: 'scored_power', fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void scored.push(JSON.parse(String(message.value))) });
    await eventually('simulated hours on scored_power', () => (scored.filter((r) => r.entity_id === 'sensor.simulated_home_energy').length >= 5 ? true : undefined), 120_000);
    await waitOutput('an injected anomaly', /injected: /, 60_000);
    const simulated = await fetch(`${info.ha.url}/api/states/sensor.simulated_home_energy`, { headers: { authorization: `Bearer ${info.ha.token}` } });
    assert.equal(simulated.status, 200, 'the simulated meter is in Home Assistant');
    await consumer.disconnect();

    const listening = [Number(port), Number(new URL(info.ha.url).port), ...info.kafka.brokers.map((broker) => Number(broker.split(':')[1]))];
    start.kill('SIGINT');
    const code = await Promise.race([exited, new Promise<string>((resolve) => setTimeout(() => resolve('timeout'), 120_000))]);
    assert.equal(code, 0, `npm start did not stop cleanly:\n${output.slice(-3000)}`);
    assert.match(output, /\[start\] stopped/);
    for (const pid of seenPids) assert.equal(alive(pid), false, `process ${pid} is still running`);
    for (const open of listening) assert.equal(await portOpen(open), false, `port ${open} is still open`);
  });
});
