import { join } from 'node:path';
import { projectRoot } from './stack';

/**
 * The data the tests and the evaluation read, kept in the repository (test/data): the seed
 * project's files and the real homes' series. STREAM_SMARTS_DATA points at another homes folder.
 */
export function testDataDir(): string {
  return join(projectRoot(), 'test', 'data');
}

export function homesDir(): string {
  return process.env.STREAM_SMARTS_DATA ?? join(testDataDir(), 'homes');
}

export function seedFile(name: string): string {
  return join(testDataDir(), 'seed', name);
}
