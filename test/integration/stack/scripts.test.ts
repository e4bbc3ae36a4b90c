import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Socket, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { scoreSensorId } from '../../../core/ha/notify/alert-plan';
import { HaSocket } from '../e2e/support/ha-socket';
import { projectRoot } from '../../support/stack';
import { parseYaml } from '../../unit/compose/yaml';

async function haCommand<T = unknown>(base: string, token: string, message: { type: string; [key: string]: unknown }): Promise<T> {
  const socket = await HaSocket.open(base, token);
  try {
    return await socket.command<T>(message);
  } finally {
    socket.close();
  }
}

// The stack scripts themselves: private instances (own STACK_DIR and ports, own credentials),
// status exit codes, stop by pid, clear errors for taken ports and missing prerequisites.

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function script(name: string, args: string[], env: Record<string, string>, timeoutMs = 150_000): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [join(projectRoot(), 'scripts', name), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Ports nobody listens on right now (the OS hands out free ones). */
async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  const ports: number[] = [];
  for (let i = 0; i < count; i++) {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    const address = server.address();
    assert.ok(address && typeof address === 'object');
    ports.push(address.port);
  }
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

describe('stack scripts', () => {
  const dirs: string[] = [];
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'smarts-stack-'));
    dirs.push(dir);
    return dir;
  };
  after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('status --quiet fails silently for a stack dir where nothing was started', { timeout: 30_000 }, async () => {
    const [kafka, sasl, controller, ha, registry] = await freePorts(5);
    const result = await script('stack.sh', ['status', '--quiet'], {
      STACK_DIR: tempDir(),
      KAFKA_PORT: String(kafka), KAFKA_SASL_PORT: String(sasl), KAFKA_CONTROLLER_PORT: String(controller),
      HA_PORT: String(ha), REGISTRY_PORT: String(registry),
    });
    assert.notEqual(result.code, 0);
    assert.equal(result.stdout, '');
  });

  it('starts a private Kafka with its own credentials, reports it up, and stops exactly that process', { timeout: 240_000 }, async () => {
    const dir = tempDir();
    const [port, sasl, controller] = (await freePorts(3)) as [number, number, number];
    const env = { STACK_DIR: dir, KAFKA_PORT: String(port), KAFKA_SASL_PORT: String(sasl), KAFKA_CONTROLLER_PORT: String(controller) };
    try {
      const started = await script('stack/kafka.sh', ['start'], env);
      assert.equal(started.code, 0, started.stderr);
      assert.match(started.stdout, /kafka: ready in \d+s/);
      const pid = Number(readFileSync(join(dir, 'run', 'kafka.pid'), 'utf8'));
      assert.ok(pid > 0);

      const again = await script('stack/kafka.sh', ['start'], env);
      assert.equal(again.code, 0);
      assert.match(again.stdout, new RegExp(`already running \\(pid ${pid}\\)`));
      assert.equal((await script('stack/kafka.sh', ['status', '--quiet'], env)).code, 0);

      // The SCRAM user of this stack dir (not the shared stack's) is accepted on its SASL port.
      const credentials = Object.fromEntries(readFileSync(join(dir, 'kafka', 'scram.env'), 'utf8').trim().split('\n').map((line) => line.split('=', 2) as [string, string]));
      const admin = new Kafka({ brokers: [`127.0.0.1:${sasl}`], logLevel: logLevel.NOTHING, sasl: { mechanism: 'scram-sha-256', username: credentials.KAFKA_SCRAM_USER ?? '', password: credentials.KAFKA_SCRAM_PASSWORD ?? '' } }).admin();
      await admin.connect();
      await admin.listTopics();
      await admin.disconnect();

      const stopped = await script('stack/kafka.sh', ['stop'], env);
      assert.equal(stopped.code, 0);
      assert.equal(existsSync(join(dir, 'run', 'kafka.pid')), false);
      assert.throws(() => process.kill(pid, 0), 'the broker process is gone');
      assert.equal(await portOpen(port), false);
      assert.notEqual((await script('stack/kafka.sh', ['status', '--quiet'], env)).code, 0);
    } finally {
      await script('stack/kafka.sh', ['stop'], env);
    }
  });

  it('a private Home Assistant: onboarding complete, the dashboard provisioned, and a restart after onboarding is ready again', { timeout: 400_000 }, async () => {
    const dir = tempDir();
    const [port] = (await freePorts(1)) as [number];
    const env = { STACK_DIR: dir, HA_PORT: String(port) };
    const base = `http://127.0.0.1:${port}`;
    try {
      const started = await script('stack/ha.sh', ['start'], env, 360_000);
      assert.equal(started.code, 0, started.stderr);
      // every onboarding step is done: Home Assistant no longer serves the onboarding API
      assert.equal((await fetch(`${base}/api/onboarding`)).status, 404, 'a person who logs in lands on a dashboard, not on onboarding');
      const token = readFileSync(join(dir, 'ha-token'), 'utf8').trim();
      const dashboard = await haCommand<{ title: string; views: Array<{ cards: Array<{ type: string; entity?: string }> }> }>(base, token, { type: 'lovelace/config' });
      assert.equal(dashboard.title, 'Stream Smarts');
      const cards = dashboard.views.flatMap((view) => view.cards);
      const shipped = parseYaml(readFileSync(join(projectRoot(), 'home-assistant', 'dashboard.yaml'), 'utf8')) as { views: Array<{ cards: Array<{ type: string }> }> };
      const cardTypes = (list: Array<{ type: string }>) => [...new Set(list.map((card) => card.type))].sort();
      assert.deepEqual(cardTypes(cards), cardTypes(shipped.views.flatMap((view) => view.cards)), 'the provisioned dashboard is the shipped one');
      assert.ok(cardTypes(cards).includes('history-graph'), 'it charts the score');
      const gauge = cards.find((card) => card.type === 'gauge');
      assert.equal(gauge?.entity, scoreSensorId('sensor.home_energy'), "the dashboard charts the sensor the notify node writes for the demo's meter");
      await haCommand(base, token, { type: 'get_services' });

      assert.equal((await script('stack/ha.sh', ['stop'], env)).code, 0);
      const restarted = await script('stack/ha.sh', ['start'], env, 360_000);
      assert.equal(restarted.code, 0, `a restart once onboarding is complete: ${restarted.stderr}`);
      assert.match(restarted.stdout, /ha: ready in \d+s/);
      assert.doesNotMatch(restarted.stdout, /restarting once/, 'onboarding is not redone');
    } finally {
      await script('stack/ha.sh', ['stop'], env);
    }
  });

  it('refuses a port taken by another process, naming the port and its variable', { timeout: 60_000 }, async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    try {
      const address = squatter.address();
      assert.ok(address && typeof address === 'object');
      const [sasl, controller] = await freePorts(2);
      const result = await script('stack/kafka.sh', ['start'], {
        STACK_DIR: tempDir(), KAFKA_PORT: String(address.port), KAFKA_SASL_PORT: String(sasl), KAFKA_CONTROLLER_PORT: String(controller),
      });
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, new RegExp(`port ${address.port} \\(kafka\\) is already in use.*KAFKA_PORT`));
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('names a missing prerequisite instead of failing with a stack trace', { timeout: 60_000 }, async () => {
    const bin = tempDir();
    const java = join(bin, 'java');
    writeFileSync(java, '#!/bin/sh\necho "    java.specification.version = 11" >&2\n');
    chmodSync(java, 0o755);
    const [port, sasl, controller] = await freePorts(3);
    const result = await script('stack/kafka.sh', ['start'], {
      PATH: `${bin}:${process.env.PATH ?? ''}`,
      STACK_DIR: tempDir(), KAFKA_PORT: String(port), KAFKA_SASL_PORT: String(sasl), KAFKA_CONTROLLER_PORT: String(controller),
    });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /java 17\+ not found \(found java 11/);
    assert.doesNotMatch(result.stderr, /\bat [\w.]+\(/);
  });
});
