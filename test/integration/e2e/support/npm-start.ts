import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot, type StackInfo } from '../../../support/stack';
import { freePort } from './node-red';

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function pidsIn(stackDir: string): number[] {
  const run = join(stackDir, 'run');
  if (!existsSync(run)) return [];
  return readdirSync(run)
    .filter((name) => name.endsWith('.pid'))
    .map((name) => Number(readFileSync(join(run, name), 'utf8').trim()))
    .filter((pid) => Number.isInteger(pid) && pid > 0);
}

/**
 * `npm start` from a clean state in its own stack directory, so it starts (and must stop) its
 * own Kafka and Home Assistant on free ports beside the shared stack: the real demo, as a person
 * runs it. Heavy: minutes.
 */
export class NpmStart {
  readonly stackDir = mkdtempSync(join(tmpdir(), 'stream-smarts-start-'));
  readonly port: number;
  output = '';
  private readonly child: ChildProcess;
  private readonly seenPids = new Set<number>();
  readonly exited: Promise<number | null>;

  private constructor(ports: number[], args: readonly string[]) {
    const [port, kafkaPort, controllerPort, saslPort, haPort] = ports.map(String) as [string, string, string, string, string];
    this.port = Number(port);
    this.child = spawn(process.execPath, [join(projectRoot(), 'scripts', 'start.mjs'), '--port', port, '--no-build', ...args], {
      cwd: projectRoot(),
      env: { ...process.env, STACK_DIR: this.stackDir, KAFKA_PORT: kafkaPort, KAFKA_CONTROLLER_PORT: controllerPort, KAFKA_SASL_PORT: saslPort, HA_PORT: haPort, STACK_REGISTRY: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    this.child.stdout?.on('data', (chunk) => (this.output += String(chunk)));
    this.child.stderr?.on('data', (chunk) => (this.output += String(chunk)));
  }

  static async spawn(args: readonly string[]): Promise<NpmStart> {
    const ports: number[] = [];
    while (ports.length < 5) {
      const candidate = await freePort();
      if (!ports.includes(candidate)) ports.push(candidate);
    }
    return new NpmStart(ports, args);
  }

  get running(): boolean {
    return this.child.exitCode === null;
  }

  async waitOutput(what: string, pattern: RegExp, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.output)) {
      if (!this.running || Date.now() > deadline) {
        throw new Error(`${this.running ? 'timed out' : 'npm start exited'} waiting for ${what}\n--- npm start output ---\n${this.output.slice(-4000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  /** The stack it started (once "Stream Smarts is running"); remembers its processes for cleanUp. */
  info(): StackInfo {
    for (const pid of pidsIn(this.stackDir)) this.seenPids.add(pid);
    return JSON.parse(readFileSync(join(this.stackDir, 'stack.json'), 'utf8')) as StackInfo;
  }

  get pids(): number[] {
    return [...this.seenPids];
  }

  owner(): { username: string; password: string } {
    return JSON.parse(readFileSync(join(this.stackDir, 'ha', 'owner.json'), 'utf8')) as { username: string; password: string };
  }

  /** Ctrl-C; resolves with the exit code, or 'timeout'. */
  async interrupt(timeoutMs = 120_000): Promise<number | null | 'timeout'> {
    this.child.kill('SIGINT');
    return Promise.race([this.exited, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs))]);
  }

  /** After a failure npm start may still run: let it stop what it started, then make sure. */
  async cleanUp(): Promise<void> {
    if (this.running) {
      await this.interrupt(60_000);
      if (this.running) this.child.kill('SIGKILL');
    }
    for (const pid of [...this.seenPids, ...pidsIn(this.stackDir)]) if (alive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(this.stackDir, { recursive: true, force: true });
  }
}
