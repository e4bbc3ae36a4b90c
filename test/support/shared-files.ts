import { join } from 'node:path';
import { projectRoot } from './stack';

/** The project's shared folder beside the clone (seed files, real homes' data); STREAM_SMARTS_SHARED overrides. */
export function sharedDir(): string {
  return process.env.STREAM_SMARTS_SHARED ?? join(projectRoot(), '..', 'shared');
}

export function seedFile(name: string): string {
  return join(sharedDir(), 'seed', name);
}
