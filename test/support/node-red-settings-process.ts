import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../integration/e2e/support/node-red';
import { projectRoot } from './stack';

/**
 * A real Node-RED process (the red.js under test) with settings of the test's own: adminAuth, a
 * credential secret, a log level. The plugin loads from dist/nodes; `flows` is its first flow.
 */
export class SettingsNodeRed {
  readonly userDir = mkdtempSync(join(tmpdir(), 'smarts-node-red-settings-'));
  log = '';
  url = '';
  private child: ChildProcess | undefined;

  async start(settings: Record<string, unknown>, flows: Record<string, unknown>[] = []): Promise<void> {
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    const all = { uiHost: '127.0.0.1', uiPort: port, flowFile: 'flows.json', nodesDir: [join(projectRoot(), 'dist', 'nodes')], ...settings };
    writeFileSync(join(this.userDir, 'settings.js'), `module.exports = ${JSON.stringify(all)};\n`);
    writeFileSync(join(this.userDir, 'flows.json'), JSON.stringify(flows));
    const redJs = join(require.resolve('node-red/package.json'), '..', 'red.js');
    this.child = spawn(process.execPath, [redJs, '--userDir', this.userDir, '--settings', join(this.userDir, 'settings.js')], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.log += chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.log += chunk.toString()));
    await this.waitForLog('Started flows', 60_000);
  }

  async waitForLog(text: string | RegExp, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const seen = () => (typeof text === 'string' ? this.log.includes(text) : text.test(this.log));
    while (!seen()) {
      if (Date.now() > deadline) throw new Error(`Node-RED log never showed ${String(text)}:\n${this.log}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  stop(): void {
    this.child?.kill('SIGINT');
    this.child = undefined;
    rmSync(this.userDir, { recursive: true, force: true });
  }
}
