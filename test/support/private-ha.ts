import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../integration/e2e/support/node-red';
import { projectRoot } from './stack';

const run = promisify(execFile);

/**
 * A Home Assistant of the test's own (the stack's ha.sh on a private STACK_DIR and port, the same
 * release and configuration as the shared one), which the test may stop and start again as a
 * user restarting Home Assistant would: its recorder database and restored states survive.
 */
export class PrivateHomeAssistant {
  readonly stackDir = mkdtempSync(join(tmpdir(), 'smarts-private-ha-'));
  private port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get token(): string {
    return readFileSync(join(this.stackDir, 'ha-token'), 'utf8').trim();
  }

  async start(): Promise<void> {
    if (this.port === 0) this.port = await freePort();
    await this.script('start', 360_000);
  }

  /** A graceful stop (SIGTERM, as `ha core stop` or a service manager does), waiting for the exit. */
  async stop(): Promise<void> {
    await this.script('stop', 90_000);
  }

  async remove(): Promise<void> {
    await this.stop().catch(() => undefined);
    rmSync(this.stackDir, { recursive: true, force: true });
  }

  /** Calls a Home Assistant service over its REST API. */
  async callService(domain: string, service: string, data: Record<string, unknown>): Promise<void> {
    const response = await fetch(`${this.url}/api/services/${domain}/${service}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(data),
      signal: AbortSignal.timeout(5000),
    });
    if (!response.ok) throw new Error(`${domain}.${service}: HTTP ${response.status}`);
  }

  private async script(command: 'start' | 'stop', timeoutMs: number): Promise<void> {
    const env = { ...process.env, STACK_DIR: this.stackDir, HA_PORT: String(this.port), QUIET: '1' };
    try {
      await run('bash', [join(projectRoot(), 'scripts', 'stack', 'ha.sh'), command], { env, timeout: timeoutMs });
    } catch (error) {
      const { stderr } = error as { stderr?: string };
      let log = '';
      try {
        log = readFileSync(join(this.stackDir, 'logs', 'ha.log'), 'utf8').slice(-3000);
      } catch {
        log = '(no ha.log)';
      }
      throw new Error(`private Home Assistant ${command} failed: ${stderr ?? String(error)}\n${log}`);
    }
  }
}
