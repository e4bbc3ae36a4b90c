import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../integration/e2e/support/node-red';
import { projectRoot } from './stack';

/**
 * A real Node-RED process (the red.js under test, the plugin from dist/nodes) that a test may stop
 * (SIGTERM, SIGINT or SIGKILL) and start again on the same user directory and port, and redeploy
 * through the admin API, as a user restarting Node-RED or pressing Deploy would.
 */
export class RestartableNodeRed {
  readonly userDir = mkdtempSync(join(tmpdir(), 'smarts-node-red-restart-'));
  log = '';
  starts = 0;
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(flows?: Record<string, unknown>[]): Promise<void> {
    if (this.port === 0) this.port = await freePort();
    const settings = { uiHost: '127.0.0.1', uiPort: this.port, flowFile: 'flows.json', nodesDir: [join(projectRoot(), 'dist', 'nodes')], logging: { console: { level: 'info' } } };
    writeFileSync(join(this.userDir, 'settings.js'), `module.exports = ${JSON.stringify(settings)};\n`);
    if (flows) writeFileSync(join(this.userDir, 'flows.json'), JSON.stringify(flows));
    const redJs = join(require.resolve('node-red/package.json'), '..', 'red.js');
    const from = this.log.length;
    const child = spawn(process.execPath, [redJs, '--userDir', this.userDir, '--settings', join(this.userDir, 'settings.js')], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.stdout?.on('data', (chunk: Buffer) => (this.log += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.log += chunk.toString()));
    this.starts += 1;
    await this.waitForLog('Started flows', 90_000, from);
  }

  /** Stops the process with the signal and waits for it to exit (SIGKILL after `graceMs`). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 20_000): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const stopped = await Promise.race([this.exited!.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), graceMs))]);
    if (!stopped) {
      child.kill('SIGKILL');
      await this.exited;
    }
    this.child = undefined;
  }

  /** A full deploy of these flows through the admin API: every node is stopped and started again. */
  async deploy(flows: Record<string, unknown>[]): Promise<void> {
    const from = this.log.length;
    const response = await fetch(`${this.url}/flows`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
      body: JSON.stringify(flows),
    });
    if (response.status !== 204 && response.status !== 200) throw new Error(`deploy answered ${response.status}: ${await response.text()}`);
    await this.waitForLog('Started flows', 60_000, from);
  }

  async waitForLog(text: string | RegExp, timeoutMs: number, from = 0): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const seen = () => {
      const part = this.log.slice(from);
      return typeof text === 'string' ? part.includes(text) : text.test(part);
    };
    while (!seen()) {
      if (Date.now() > deadline) throw new Error(`Node-RED log never showed ${String(text)}:\n${this.log.slice(-4000)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async remove(): Promise<void> {
    await this.stop('SIGINT');
    rmSync(this.userDir, { recursive: true, force: true });
  }
}
