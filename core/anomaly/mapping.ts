/** Which series are scored with a fixed model folder instead of learning their own. */
import { seedEntityId } from '../reading';

/** The series → model folder mapping used when none is configured: the seed's series keeps the seed's UDF table. */
export const defaultSeriesModels: Readonly<Record<string, string>> = Object.freeze({ [seedEntityId]: 'seed-hour-profile' });

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
