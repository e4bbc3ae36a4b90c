import type { ScoredReading } from '../reading';

/** The JSON record an anomaly becomes on the anomalies topic (the seed's `anomoly_power` stream). */
export interface AnomalyRecord {
  entity_id: string;
  ts: number;
  hour: number;
  value: number;
  unit: string;
  kind: ScoredReading['kind'];
  score: number;
  anomaly_score: number;
  expected: number;
  model: string;
  interval_s?: number;
  explanation?: string;
}

export function anomalyRecord(scored: ScoredReading): AnomalyRecord {
  const record: AnomalyRecord = {
    entity_id: scored.entity_id,
    ts: scored.ts,
    hour: scored.hour,
    value: scored.value,
    unit: scored.unit,
    kind: scored.kind,
    score: scored.score,
    anomaly_score: scored.anomaly_score,
    expected: scored.expected,
    model: scored.model,
  };
  if (scored.interval_s !== undefined) record.interval_s = scored.interval_s;
  if (scored.explanation !== undefined) record.explanation = scored.explanation;
  return record;
}
