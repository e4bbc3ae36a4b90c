/**
 * The shipped default: what a series uses before it has history of its own. Only what is
 * extreme for any home alerts (per hour of day, a rate far above the pooled homes' highest),
 * and its autoencoder, trained on the pooled homes' residuals, seeds each home's own.
 */
import type { DenseLayer } from './dense';

export interface DefaultModelParams {
  type: 'default';
  /** Rates in W (energy per hour, or power). */
  unit: 'W';
  /** Per hour of day: a rate above this is extreme for any home. */
  extremeRate: number[];
  /** Per hour of day: the median rate over the pooled homes (what a home typically uses then). */
  typicalRate?: number[];
  window: number;
  autoencoder: DenseLayer[] | null;
}

export function extremeScore(params: DefaultModelParams, hour: number, rate: number): number {
  const limit = params.extremeRate[hour];
  return limit && limit > 0 ? Math.max(0, rate / limit) : 0;
}
