/**
 * How readily a home model alerts. Each model is calibrated so that its components reach 1 just
 * above the highest its own recent history did ("high"); the others raise every threshold by a
 * factor, trading found events for fewer false alarms (figures in models/default/eval-report.md).
 */
import { StreamSmartsError } from '../../errors';

export const sensitivities = ['high', 'normal', 'low'] as const;
export type Sensitivity = (typeof sensitivities)[number];

export const defaultSensitivity: Sensitivity = 'normal';

export const sensitivityThreshold: Record<Sensitivity, number> = { high: 1, normal: 1.3, low: 1.6 };

/** A sensitivity that is not high, normal or low; retrying will not help. */
export class SensitivityError extends StreamSmartsError {
  constructor(value: unknown) {
    super(`sensitivity must be one of ${sensitivities.join(', ')}, got ${JSON.stringify(value)}`, { retriable: false });
  }
}

export function parseSensitivity(value: unknown): Sensitivity {
  if (value === undefined || value === null || value === '') return defaultSensitivity;
  if (typeof value === 'string' && (sensitivities as readonly string[]).includes(value)) return value as Sensitivity;
  throw new SensitivityError(value);
}
