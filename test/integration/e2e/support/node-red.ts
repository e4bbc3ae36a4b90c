import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot, type StackInfo } from '../../../support/stack';

export type FlowNode = Record<string, unknown> & { id: string; type: string; wires?: string[][] };

// The compiled tests are CommonJS; the user-dir script is an ES module.
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

interface PrepareUserDir {
  prepareUserDir(options: { userDir: string; flowFile: string; credentialSecret: string; pluginDir?: string; modelsFrom?: string; resetFlow?: boolean }): {
    flowsFile: string;
    modelDir: string;
  };
}

/** red.js of the Node-RED under test (the project's 4.1, or Node-RED 5 through scripts/node-red-runtime.cjs). */
function nodeRedMain(): string {
  return join(require.resolve('node-red/package.json'), '..', 'red.js');
}

export function loadDemoFlow(): FlowNode[] {
  return JSON.parse(readFileSync(join(projectRoot(), 'flows', 'stream-smarts-demo.json'), 'utf8')) as FlowNode[];
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** The environment npm start gives Node-RED, for a test's own Node-RED process. */
export function nodeRedEnv(info: StackInfo, extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    ...process.env,
    STREAM_SMARTS_HA_URL: info.ha.url,
    STREAM_SMARTS_HA_TOKEN: info.ha.token,
    STREAM_SMARTS_KAFKA_BROKERS: info.kafka.brokers.join(','),
    STREAM_SMARTS_REGISTRY_URL: info.registry?.url ?? '',
    STREAM_SMARTS_ALERT_COOLDOWN: '1',
    STREAM_SMARTS_LOG_LEVEL: 'info',
    ...extra,
  };
}

/**
 * A real Node-RED process (node-red/red.js) with the plugin from this checkout and the given
 * flow, prepared exactly as `npm start` prepares its user directory.
 */
export class NodeRedProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  log = '';

  private constructor(
    readonly userDir: string,
    readonly port: number,
    readonly modelDir: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  static async start(flow: FlowNode[], env: Record<string, string>, info: StackInfo): Promise<NodeRedProcess> {
    const root = projectRoot();
    const userDir = mkdtempSync(join(tmpdir(), 'stream-smarts-e2e-'));
    const flowFile = join(userDir, 'source-flow.json');
    writeFileSync(flowFile, JSON.stringify(flow));
    const secret = randomBytes(16).toString('hex');
    const { prepareUserDir } = (await importEsm(join(root, 'scripts', 'node-red', 'prepare-userdir.mjs'))) as PrepareUserDir;
    const prepared = prepareUserDir({ userDir, flowFile, credentialSecret: secret, pluginDir: root, modelsFrom: join(root, 'models') });
    const port = await freePort();
    const nodeRed = new NodeRedProcess(userDir, port, prepared.modelDir);
    const child = spawn(process.execPath, [nodeRedMain(), '--settings', join(root, 'scripts', 'node-red', 'settings.js'), '--userDir', userDir], {
      cwd: root,
      env: nodeRedEnv(info, {
        STREAM_SMARTS_CREDENTIAL_SECRET: secret,
        STREAM_SMARTS_NODE_RED_PORT: String(port),
        STREAM_SMARTS_MODEL_DIR: prepared.modelDir,
        ...env,
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    nodeRed.child = child;
    nodeRed.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.stdout?.on('data', (chunk) => (nodeRed.log += String(chunk)));
    child.stderr?.on('data', (chunk) => (nodeRed.log += String(chunk)));
    const deadline = Date.now() + 90_000;
    while (!/Started flows/.test(nodeRed.log)) {
      if (child.exitCode !== null) throw new Error(`Node-RED exited while starting:\n${nodeRed.log}`);
      if (Date.now() > deadline) {
        await nodeRed.stop();
        throw new Error(`Node-RED did not start:\n${nodeRed.log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return nodeRed;
  }

  /** Memory of the Node-RED process (resident set), from /proc. */
  residentBytes(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  }

  async stop(): Promise<void> {
    if (this.child && this.child.exitCode === null) {
      this.child.kill('SIGINT');
      const stopped = await Promise.race([this.exited!.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000))]);
      if (!stopped) {
        this.child.kill('SIGKILL');
        await this.exited;
      }
    }
    rmSync(this.userDir, { recursive: true, force: true });
  }
}
