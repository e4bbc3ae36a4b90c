/** Sentences a household can act on: "3.1 kWh between 02:00 and 03:00, about 0.3 expected (10x)". */
import { clockTime, readableQuantity } from '../../units';
import type { ComponentName } from '../model/home-model';

function round(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1).replace(/\.0$/, '');
  if (abs >= 0.1) return value.toFixed(1);
  return value.toPrecision(2);
}

export interface ExplainInput {
  ts: number;
  intervalS: number;
  value: number;
  expected: number;
  unit: string;
  reason: ComponentName | 'extreme' | 'profile';
  baseRate?: number;
  baseExpected?: number;
  baseHours?: number;
  rateUnit?: string;
}

export function explain(input: ExplainInput): string {
  const shown = readableQuantity(input);
  const ratio = input.expected > 0 ? input.value / input.expected : Number.POSITIVE_INFINITY;
  const ratioText = Number.isFinite(ratio) ? ` (${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(1)}x)` : '';
  const span = `between ${clockTime(input.ts)} and ${clockTime(input.ts + input.intervalS * 1000)}`;
  const unit = shown.unit ? ` ${shown.unit}` : '';
  const main = `${round(shown.value)}${unit} ${span}, about ${round(shown.expected)} expected${ratioText}`;
  if (input.reason === 'drift' && input.baseRate !== undefined && input.baseExpected !== undefined) {
    const rateUnit = input.rateUnit ? ` ${input.rateUnit}` : '';
    return `always-on load about ${round(input.baseRate)}${rateUnit} over the last ${input.baseHours ?? 24} hours, usually ${round(input.baseExpected)}${rateUnit}; ${main}`;
  }
  if (input.reason === 'persist' || input.reason === 'cusum') return `${main}; usage has stayed above usual for several hours`;
  if (input.reason === 'extreme') return `${main}; extreme for any home`;
  return main;
}
