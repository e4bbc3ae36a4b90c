/** Paths to the seed files and real data (test/data), and slices of the real homes for tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSeriesCsv, type ParsedSeries } from '../../../../core/anomaly/series-file';
import { projectRoot } from '../../../support/stack';
import { homesDir, testDataDir } from '../../../support/test-data';

export const repoRoot = projectRoot();
export const dataDir = homesDir();
export const seedDir = join(testDataDir(), 'seed');
export const modelsDir = join(repoRoot, 'models');

const cache = new Map<string, ParsedSeries>();

/** A real home's series (kWh per interval), optionally only its first `days`. */
export function home(file: string, days?: number): ParsedSeries {
  let parsed = cache.get(file);
  if (!parsed) {
    parsed = parseSeriesCsv(readFileSync(join(dataDir, file), 'utf8'));
    cache.set(file, parsed);
  }
  if (days === undefined) return parsed;
  const first = parsed.rows[0]?.ts ?? 0;
  return { ...parsed, rows: parsed.rows.filter((row) => row.ts < first + days * 86_400_000) };
}

export const londonHome = 'lcl_MAC000002_halfhourly_2013.csv';
export const otherLondonHome = 'lcl_MAC000010_halfhourly_2013.csv';
export const uciHome = 'uci_household_power_hourly_2006-2010.csv';
