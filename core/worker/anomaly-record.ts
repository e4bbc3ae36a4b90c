import type { ScoredReading } from '../reading';

const recordFields = ['entity_id', 'ts', 'hour', 'value', 'unit', 'kind', 'score', 'anomaly_score', 'expected', 'model', 'interval_s', 'explanation'] as const;

/** The JSON record an anomaly becomes on the anomalies topic (the seed's `anomoly_power` stream): a scored reading without its extras. */
export type AnomalyRecord = Pick<ScoredReading, (typeof recordFields)[number]>;

export function anomalyRecord(scored: ScoredReading): AnomalyRecord {
  const record: Partial<Record<keyof AnomalyRecord, unknown>> = {};
  for (const field of recordFields) if (scored[field] !== undefined) record[field] = scored[field];
  return record as AnomalyRecord;
}
