import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../support/stack';

/**
 * The real Node-RED runtime embedded in the bench process, as a user's Node-RED runs flows:
 * `require('node-red')`, `RED.init(server, settings)`, `RED.start()`. No editor, no admin or
 * node HTTP roots (the server is never listened on), console logging off. The plugin is installed
 * into a temporary user directory exactly as `npm start` installs it
 * (scripts/node-red/prepare-userdir.mjs: a link in <userDir>/node_modules, so Node-RED loads the
 * built nodes through package.json's `node-red.nodes`); bench-only nodes come from a temporary
 * nodesDir. One runtime per process: Node-RED cannot be started again after `stop()`.
 */

export type FlowNode = Record<string, unknown> & { id: string; type: string };

export interface EmbeddedHooks {
  add(hookId: string, callback: (event: unknown) => unknown): void;
  remove(hookId: string): void;
}

interface Runtime {
  init(server: unknown, settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly hooks: EmbeddedHooks;
}

interface PrepareUserDir {
  prepareUserDir(options: { userDir: string; flowFile: string; credentialSecret: string; pluginDir?: string }): unknown;
}

export interface EmbeddedNodeRed {
  readonly hooks: EmbeddedHooks;
  /** Warnings and errors Node-RED and the nodes logged (console logging is off). */
  readonly logs: string[];
  /** How many of them were errors (or fatal). */
  readonly errors: number;
  /** Starts the runtime; Node-RED starts the flows right after (not awaited). */
  start(): Promise<void>;
  /** Stops the flows (closing every node) and removes the user directory. */
  stop(): Promise<void>;
}

// The compiled benches are CommonJS; the user-dir script is an ES module.
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

/** Node-RED's numeric log levels (@node-red/util log): fatal 10, error 20, warn 30. */
const errorLevel = 20;
const warnLevel = 30;

/**
 * Prepares a user directory with `flow`, and bench-only node files (name → JavaScript source;
 * each gets an empty editor .html beside it), then initialises the runtime. `settings` are added
 * to the runtime settings (nodes read them as `RED.settings.<name>`).
 */
export async function embedNodeRed(flow: FlowNode[], nodeFiles: Record<string, string>, settings: Record<string, unknown> = {}): Promise<EmbeddedNodeRed> {
  const root = projectRoot();
  const userDir = mkdtempSync(join(tmpdir(), 'stream-smarts-bench-'));
  const nodesDir = join(userDir, 'bench-nodes');
  mkdirSync(nodesDir);
  for (const [name, source] of Object.entries(nodeFiles)) {
    writeFileSync(join(nodesDir, `${name}.js`), source);
    writeFileSync(join(nodesDir, `${name}.html`), '');
  }
  const flowFile = join(userDir, 'source-flow.json');
  writeFileSync(flowFile, JSON.stringify(flow));
  const credentialSecret = randomBytes(16).toString('hex');
  const { prepareUserDir } = (await importEsm(join(root, 'scripts', 'node-red', 'prepare-userdir.mjs'))) as PrepareUserDir;
  prepareUserDir({ userDir, flowFile, credentialSecret, pluginDir: root });

  const logs: string[] = [];
  let errors = 0;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const RED = require('node-red') as Runtime;
  RED.init(createServer(), {
    userDir,
    flowFile: 'flows.json',
    credentialSecret,
    nodesDir: [nodesDir],
    httpAdminRoot: false,
    httpNodeRoot: false,
    disableEditor: true,
    externalModules: { autoInstall: false, palette: { allowInstall: false } },
    functionExternalModules: false,
    contextStorage: { default: { module: 'memory' } },
    telemetry: { enabled: false },
    diagnostics: { enabled: false },
    runtimeState: { enabled: false },
    logging: {
      console: { level: 'off', metrics: false, audit: false },
      bench: {
        level: 'warn',
        metrics: false,
        audit: false,
        handler: () => (entry: { level: number; msg: unknown; type?: string; id?: string }) => {
          if (entry.level <= errorLevel) errors += 1;
          if (entry.level <= warnLevel) logs.push(`${entry.type ? `[${entry.type}:${entry.id}] ` : ''}${String(entry.msg)}`);
        },
      },
    },
    ...settings,
  });
  let started = false;
  return {
    hooks: RED.hooks,
    logs,
    get errors() {
      return errors;
    },
    start: async () => {
      started = true;
      await RED.start();
    },
    stop: async () => {
      try {
        if (started) await RED.stop();
      } finally {
        rmSync(userDir, { recursive: true, force: true });
      }
    },
  };
}
