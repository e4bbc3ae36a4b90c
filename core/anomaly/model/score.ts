/**
 * The last guard of every scored reading: a finite score (JSON has no Infinity or NaN, so
 * downstream nodes would see null), and a finite expected value.
 */
import type { Reading, ScoredReading } from '../../reading';

/** Scores are capped here: far beyond any threshold, still a number. */
export const maxScore = 1e9;

export function finiteScore(score: number): number {
  if (Number.isNaN(score)) return 0;
  return Math.max(-maxScore, Math.min(maxScore, score));
}

export function finiteOr(value: number, fallback: number): number {
  return Number.isFinite(value) ? value : Number.isFinite(fallback) ? fallback : 0;
}

/** Probability-like view of a score in [0, 1]: 0 at or below 0, 0.5 at 1, towards 1 above. */
export function scoreToProbability(score: number): number {
  if (!(score > 0)) return 0;
  if (!Number.isFinite(score)) return 1;
  return 1 / (1 + 1 / (score * score));
}

/**
 * The scored reading of DESIGN.md: score and expected made finite, `anomaly` when score > 1.
 * The one builder of the record (series detector, fixed scorer, location). Built by copying the
 * reading and then setting the fields: an object spread that adds properties is some 30x slower
 * on V8, and this runs once per reading.
 */
export function scoredReading(reading: Reading, rawScore: number, rawExpected: number, model: string, explanation?: string): ScoredReading {
  const score = finiteScore(rawScore);
  const scored = Object.assign({}, reading) as ScoredReading;
  scored.score = score;
  scored.anomaly_score = scoreToProbability(score);
  scored.anomaly = score > 1;
  scored.expected = finiteOr(rawExpected, 0);
  scored.model = model;
  if (explanation) scored.explanation = explanation;
  return scored;
}
