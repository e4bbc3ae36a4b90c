import type { ReadingKind, ScoredReading } from '../../reading';
import { clockTime, readableQuantity } from '../../units';

/** What a message template can refer to as {{name}}. */
export interface AlertFields {
  entity_id: string;
  name: string;
  value: string;
  expected: string;
  unit: string;
  /** The value with its unit as a person writes it: "−4 °C", "3.1 kWh". */
  quantity: string;
  /** What the model expected, the same way: "−18.3 °C". */
  usual: string;
  score: string;
  kind: ReadingKind;
  start: string;
  end: string;
  /** "between 02:00 and 03:00" for an interval, "at 21:26" for a single reading. */
  when: string;
  hour: string;
  date: string;
}

const defaults: Record<ReadingKind, string> = {
  energy: 'Unusual energy use: {{value}} {{unit}} {{when}}, about {{expected}} expected. Is something left running?',
  power: 'Unusual power draw: {{value}} {{unit}} at {{start}}, about {{expected}} expected. Is something left running?',
  water: 'Unusual water use: {{value}} {{unit}} {{when}}, about {{expected}} expected. Is a tap running or a pipe leaking?',
  gas: 'Unusual gas use: {{value}} {{unit}} {{when}}, about {{expected}} expected. Is the heating or a burner left on?',
  location: 'Unusual location: {{value}} {{unit}} from home at {{start}}, about {{expected}} expected.',
  other: '{{name}} {{quantity}}, usually {{usual}} around this hour.',
};

export const defaultTitle = 'Stream Smarts: {{name}}';

export function defaultTemplate(kind: ReadingKind): string {
  return defaults[kind];
}

/** Replaces {{field}}; unknown fields are left visible so a typo shows in the message, not nothing. */
export function renderTemplate(template: string, fields: AlertFields): string {
  return template.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(fields, name) ? String(fields[name as keyof AlertFields]) : whole,
  );
}

/** Rounds to at most two significant decimals as a person would read it: 3.1, 0.3, 12, 1450. */
export function humanNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 1 : 2;
  return String(Number(value.toFixed(digits)));
}

/** A number with its unit for a sentence, with a true minus sign: "−4 °C"; no unit, the number alone. */
export function humanQuantity(value: number, unit: string): string {
  const number = humanNumber(value).replace(/^-/, '\u2212');
  return unit ? `${number} ${unit}` : number;
}

/** What an alert's text needs of a scored reading. */
export type AlertSubject = Pick<ScoredReading, 'entity_id' | 'ts' | 'value' | 'expected' | 'score' | 'unit' | 'kind' | 'hour' | 'interval_s' | 'friendly_name'>;

export function alertFields(subject: AlertSubject, name?: string): AlertFields {
  const quantity = readableQuantity(subject);
  const end = subject.ts + (subject.interval_s ?? 0) * 1000;
  const when = end > subject.ts ? `between ${clockTime(subject.ts)} and ${clockTime(end)}` : `at ${clockTime(subject.ts)}`;
  return {
    entity_id: subject.entity_id,
    name: name ?? subject.friendly_name ?? subject.entity_id,
    value: humanNumber(quantity.value),
    expected: humanNumber(quantity.expected),
    unit: quantity.unit,
    quantity: humanQuantity(quantity.value, quantity.unit),
    usual: humanQuantity(quantity.expected, quantity.unit),
    score: humanNumber(subject.score),
    kind: subject.kind,
    start: clockTime(subject.ts),
    end: clockTime(end),
    when,
    hour: String(subject.hour),
    date: new Date(subject.ts).toISOString().slice(0, 10),
  };
}
