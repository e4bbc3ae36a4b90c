/** The shipped model folders, and which series are scored with a fixed model folder instead of learning their own. */
import { resolve } from 'node:path';
import { seedEntityId } from '../../reading';

/**
 * The package's own models/ folder (the shipped default model and the seed's hour profile), as an
 * absolute path. This file runs as dist/core/anomaly/mapping.js, three levels below the package root.
 */
export const shippedModelsDir = resolve(__dirname, '..', '..', '..', '..', 'models');

/** The shipped model every energy and power series starts from until it has its own. */
export const defaultModelName = 'default';

/** The seed's `ANOMOLY_POWER(hour, mwh)` table as a model folder. */
export const seedModelName = 'seed-hour-profile';

/** The series → model folder mapping used when none is configured: the seed's series keeps the seed's UDF table. */
export const defaultSeriesModels: Readonly<Record<string, string>> = Object.freeze({ [seedEntityId]: seedModelName });

/** "entity=folder" lines (or JSON object) → mapping. */
export function parseMapping(text: string): Record<string, string> {
  const source = text.trim();
  if (source.startsWith('{')) return JSON.parse(source) as Record<string, string>;
  const mapping: Record<string, string> = {};
  for (const line of source.split(/[\n;]+/)) {
    const [entity, folder] = line.split('=').map((part) => part.trim());
    if (entity && folder) mapping[entity] = folder;
  }
  return mapping;
}

/** The mapping as parseMapping reads it back: one "entity=folder" per line. */
export function formatMapping(mapping: Readonly<Record<string, string>>): string {
  return Object.entries(mapping)
    .map(([entity, folder]) => `${entity}=${folder}`)
    .join('\n');
}
