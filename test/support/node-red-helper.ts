import { join } from 'node:path';
import type { NodeAPI } from 'node-red';

/** node-red-node-test-helper, initialised once against the installed Node-RED, for the node and integration tests. */

export interface FlowNode {
  id: string;
  type: string;
  [property: string]: unknown;
}

export interface HelperNode {
  id: string;
  on(event: string, listener: (...args: never[]) => void): void;
  receive(msg: Record<string, unknown>): void;
  send(msg: Record<string, unknown>): void;
  status(status: object): void;
  context(): { get(key: string): unknown; set(key: string, value: unknown): void };
}

interface SupertestLike {
  get(path: string): Promise<{ status: number; body: unknown }>;
}

export interface NodeTestHelper {
  init(runtimePath: string, settings?: object): void;
  /** Runtime settings (RED.settings) for the flows loaded next, merged over the defaults. */
  settings(settings: object): object;
  load(nodes: unknown[], flow: FlowNode[], credentials?: Record<string, object>): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): HelperNode;
  request(): SupertestLike;
  log(): { args: unknown[][] } & { getCalls(): Array<{ args: unknown[] }> };
  startServer(): Promise<void>;
  stopServer(): Promise<void>;
}

export type NodeModule = (RED: NodeAPI) => void;

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const helper = require('node-red-node-test-helper') as NodeTestHelper;
helper.init(require.resolve('node-red'));

/**
 * The helper's mock runtime hands nodes no `RED.hooks`; the real runtime hands them
 * @node-red/util's hooks, which its Flow and Node classes trigger. Give the nodes that same object.
 */
export function withRuntimeHooks(module: NodeModule): NodeModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { hooks } = require('@node-red/util') as { hooks: NodeAPI['hooks'] };
  return (RED) => {
    if (!RED.hooks) (RED as { hooks: NodeAPI['hooks'] }).hooks = hooks;
    module(RED);
  };
}

/** The built runtime modules of these Stream Smarts node types (dist/nodes/<type>/<type>.js), with runtime hooks. */
export function loadNodeModules(...types: string[]): NodeModule[] {
  return types.map((type) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module = require(join(__dirname, '..', '..', 'nodes', type, `${type}.js`)) as NodeModule;
    return withRuntimeHooks(module);
  });
}
