/** What a person reads when the general detector alerts: the value, what was usual, and why. */
import type { GeneralReason } from './general-core';

const shown = (value: number, unit: string): string => {
  const text = Math.abs(value) >= 100 ? value.toFixed(0) : Number(value.toPrecision(3)).toString();
  return unit ? `${text} ${unit}` : text;
};

export function explainGeneral(reason: GeneralReason, value: number, expected: number, unit: string): string {
  const now = shown(value, unit);
  const usual = shown(expected, unit);
  if (reason === 'stuck') return `${now}: unchanged for unusually long (a stuck sensor?)`;
  if (reason === 'shift') return `${now}: the level has moved (usually about ${usual})`;
  if (reason === 'spike') return `${now}, usually about ${usual}`;
  return `${now}: unusual for a while (usually about ${usual})`;
}
