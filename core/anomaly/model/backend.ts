/**
 * Chooses the tfjs backend once per process: tfjs-node when installed, else wasm, else cpu.
 * tfjs is loaded lazily so commands that never train (and --help) stay fast. The package carries
 * only the Node.js bundles of tfjs-core, tfjs-layers and the cpu and wasm backends, vendored in
 * dist/vendor/tfjs by scripts/build.mjs (the npm packages whole are 95 MB of browser builds and
 * source maps). tfjs-node, when a user installs it, brings its own tfjs and is used whole.
 */
import { join } from 'node:path';
import type * as TfCore from '@tensorflow/tfjs-core';
import type * as TfLayers from '@tensorflow/tfjs-layers';

export type Tf = typeof TfCore & typeof TfLayers;
export type { TfCore, TfLayers };
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface AnomalyLogger {
  info(message: string): void;
  warn?(message: string): void;
}

export const silentLogger: AnomalyLogger = { info: () => undefined };

let selection: Promise<{ tf: Tf; backend: BackendName }> | undefined;

/** dist/vendor/tfjs, from dist/core/anomaly/model. */
const vendored = join(__dirname, '..', '..', '..', 'vendor', 'tfjs');

function tryRequire<T>(path: string): T | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(path) as T;
  } catch {
    return undefined;
  }
}

/** tfjs-node's own tfjs (core, layers and the tensorflow backend), or the vendored core and layers. */
function loadModules(preferred?: BackendName): { tf: Tf; node: boolean } {
  const node = preferred === undefined || preferred === 'tensorflow' ? tryRequire<Tf>('@tensorflow/tfjs-node') : undefined;
  if (node) return { tf: node, node: true };
  /* eslint-disable @typescript-eslint/no-require-imports */
  const core = require(join(vendored, 'tfjs-core.js')) as typeof TfCore;
  const layers = require(join(vendored, 'tfjs-layers.js')) as typeof TfLayers;
  require(join(vendored, 'tfjs-backend-cpu.js'));
  /* eslint-enable @typescript-eslint/no-require-imports */
  return { tf: { ...core, ...layers }, node: false };
}

async function select(logger: AnomalyLogger, preferred?: BackendName): Promise<{ tf: Tf; backend: BackendName }> {
  const { tf, node } = loadModules(preferred);
  // PROD silences tfjs's "install tfjs-node" banner and its debug checks.
  tf.env().set('PROD', true);
  const order: BackendName[] = preferred ? [preferred] : ['tensorflow', 'wasm', 'cpu'];
  for (const name of order) {
    if (name === 'tensorflow' && !node) continue;
    if (name === 'wasm' && (node || !tryRequire(join(vendored, 'tfjs-backend-wasm.js')))) continue;
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        logger.info(`anomaly: tfjs backend ${name}`);
        return { tf, backend: name };
      }
    } catch {
      // fall through to the next backend
    }
  }
  await tf.setBackend('cpu');
  logger.info('anomaly: tfjs backend cpu');
  return { tf, backend: 'cpu' };
}

/**
 * The tfjs module with its backend chosen (logged once through `logger`). STREAM_SMARTS_TF_BACKEND
 * (tensorflow|wasm|cpu) forces one, e.g. to measure the cpu backend.
 */
export function loadTf(logger: AnomalyLogger = silentLogger): Promise<{ tf: Tf; backend: BackendName }> {
  if (!selection) {
    const forced = process.env.STREAM_SMARTS_TF_BACKEND as BackendName | undefined;
    selection = select(logger, forced && ['tensorflow', 'wasm', 'cpu'].includes(forced) ? forced : undefined);
  }
  return selection;
}
