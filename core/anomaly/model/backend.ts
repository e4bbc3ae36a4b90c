/**
 * Chooses the tfjs backend once per process: tfjs-node when installed, else wasm, else cpu.
 * tfjs is loaded lazily so commands that never train (and --help) stay fast. Only tfjs-core and
 * tfjs-layers are used (not the @tensorflow/tfjs bundle with its browser builds, converter and
 * webgl backend): a third of the installed size.
 */
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

function tryRequire(name: string): boolean {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(name);
    return true;
  } catch {
    return false;
  }
}

async function select(logger: AnomalyLogger, preferred?: BackendName): Promise<{ tf: Tf; backend: BackendName }> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const core = require('@tensorflow/tfjs-core') as typeof TfCore;
  const layers = require('@tensorflow/tfjs-layers') as typeof TfLayers;
  require('@tensorflow/tfjs-backend-cpu');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const tf: Tf = { ...core, ...layers };
  // PROD silences tfjs's "install tfjs-node" banner and its debug checks.
  tf.env().set('PROD', true);
  const order: BackendName[] = preferred ? [preferred] : ['tensorflow', 'wasm', 'cpu'];
  for (const name of order) {
    if (name === 'tensorflow' && !tryRequire('@tensorflow/tfjs-node')) continue;
    if (name === 'wasm' && !tryRequire('@tensorflow/tfjs-backend-wasm')) continue;
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
