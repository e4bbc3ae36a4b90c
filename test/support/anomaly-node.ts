import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before } from 'node:test';
import { modelsDir } from '../unit/core/anomaly/fixtures';
import { helper, loadNodeModules, type NodeModule } from './node-red-helper';

/** The smarts-anomaly node and Node-RED's Catch node. */
export function anomalyModules(): NodeModule[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const catchNode = require(join(require.resolve('@node-red/nodes/package.json'), '..', 'core', 'common', '25-catch.js')) as NodeModule;
  return [...loadNodeModules('smarts-anomaly'), catchNode];
}

/** Every message a helper node receives from now on. */
export function collect(id: string): Record<string, unknown>[] {
  const messages: Record<string, unknown>[] = [];
  helper.getNode(id).on('input', (msg: never) => messages.push(msg));
  return messages;
}

/** A temporary model directory with copies of the shipped models, for the suite; unloads the flow after each test. */
export function useModelDir(prefix: string, models: readonly string[]): () => string {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
    for (const model of models) await cp(join(modelsDir, model), join(dir, model), { recursive: true });
  });
  afterEach(async () => helper.unload());
  after(async () => {
    await helper.unload();
    await rm(dir, { recursive: true, force: true });
  });
  return () => dir;
}
