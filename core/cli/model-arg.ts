import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { shippedModelsDir } from '../anomaly/scoring/mapping';

/**
 * The model directory a `--model` argument names: the path itself when it exists; otherwise a
 * model shipped with the package (`seed-hour-profile`, `default`), named bare or as
 * `models/<name>` as the README writes it, so the examples work from an install as from a clone.
 */
export function resolveModelArg(arg: string, cwd: string = process.cwd(), shipped: string = shippedModelsDir): string {
  const given = resolve(cwd, arg);
  if (existsSync(given)) return given;
  const name = basename(arg);
  const bareOrModels = arg === name || arg.replace(/\\/g, '/').replace(/\/+$/, '') === `models/${name}`;
  const candidate = join(shipped, name);
  if (bareOrModels && existsSync(join(candidate, 'metadata.json'))) return candidate;
  return given;
}
