import { hourMs } from '../units';
import { startOfHour, type HourSource, type SimHour } from './household';

/**
 * Anomalies a household really has, to inject into the simulated (or a real) series:
 * - `left-on`: an appliance (heater, oven, iron) left running, e.g. overnight: `kw` for `hours` hours;
 * - `spike`: one hour with `kwh` more than usual;
 * - `base-creep`: the always-on load rising by up to `watts` (a failing fridge, a forgotten
 *   device): ramps up over `rampHours`, then stays until `hours` have passed.
 */
export type Anomaly =
  | { kind: 'left-on'; start: number; hours: number; kw: number; label?: string }
  | { kind: 'spike'; start: number; kwh: number; label?: string }
  | { kind: 'base-creep'; start: number; hours: number; watts: number; rampHours?: number; label?: string };

export type AnomalyKind = Anomaly['kind'];

/** The energy the anomaly adds to the hour starting at `start` (kWh, 0 outside it). */
export function anomalyKwh(anomaly: Anomaly, start: number): number {
  const from = startOfHour(anomaly.start);
  const index = Math.round((start - from) / hourMs);
  switch (anomaly.kind) {
    case 'left-on':
      return index >= 0 && index < anomaly.hours ? anomaly.kw : 0;
    case 'spike':
      return index === 0 ? anomaly.kwh : 0;
    case 'base-creep': {
      if (index < 0 || index >= anomaly.hours) return 0;
      const ramp = Math.max(1, anomaly.rampHours ?? Math.ceil(anomaly.hours / 3));
      return (anomaly.watts / 1000) * Math.min(1, (index + 1) / ramp);
    }
  }
}

/** The hours the anomaly touches, as [first hour start, end) epoch ms. */
export function anomalySpan(anomaly: Anomaly): { start: number; end: number } {
  const start = startOfHour(anomaly.start);
  const hours = anomaly.kind === 'spike' ? 1 : anomaly.hours;
  return { start, end: start + hours * hourMs };
}

/** A source that adds the anomalies' energy to `source`, marking each touched hour. */
export function withAnomalies(source: HourSource, anomalies: readonly Anomaly[]): HourSource {
  return {
    hourAt(ts: number): SimHour {
      const base = source.hourAt(ts);
      let extra = 0;
      const kinds: string[] = [];
      for (const anomaly of anomalies) {
        const added = anomalyKwh(anomaly, base.start);
        if (added > 0) {
          extra += added;
          kinds.push(anomaly.label ?? anomaly.kind);
        }
      }
      if (extra === 0) return base;
      const round = (kwh: number) => Math.round(kwh * 1e6) / 1e6;
      return {
        ...base,
        kwh: round(base.kwh + extra),
        parts: { ...base.parts, anomaly: round((base.parts.anomaly ?? 0) + extra) },
        anomaly: kinds.join('+'),
      };
    },
  };
}

/**
 * A demo schedule: one anomaly every `everyHours` simulated hours from `from`, cycling through
 * a heater left on overnight-style block, a one-hour spike and an oven left on.
 */
export function anomalySchedule(from: number, everyHours: number, count: number): Anomaly[] {
  const plan: Anomaly[] = [];
  for (let i = 0; i < count; i += 1) {
    const start = startOfHour(from) + (i + 1) * everyHours * hourMs;
    switch (i % 3) {
      case 0:
        plan.push({ kind: 'left-on', start, hours: 4, kw: 2, label: 'heater left on' });
        break;
      case 1:
        plan.push({ kind: 'spike', start, kwh: 3.5, label: 'one-hour spike' });
        break;
      default:
        plan.push({ kind: 'left-on', start, hours: 2, kw: 2.5, label: 'oven left on' });
    }
  }
  return plan;
}
