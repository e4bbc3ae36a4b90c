import type { Reading } from '../reading';
import { createMeter, type MeterSample } from './meter';
import type { HourSource } from './household';

/** Where each simulated hour goes (Home Assistant's meter, a Kafka topic, a test's list). */
export interface SimulatedHomeSinks {
  /** The meter's total after the hour. */
  meter?(sample: MeterSample): Promise<void>;
  /** The hour's consumption as a reading (what the meter node emits per interval), at simulated time. */
  reading?(reading: Reading, sample: MeterSample): Promise<void>;
}

export interface SimulatedHomeOptions {
  source: HourSource;
  entityId: string;
  /** Simulated time of the first hour (epoch ms). */
  from: number;
  initialKwh: number;
  /** Real milliseconds per simulated hour (e.g. 5000: an hour every 5 s). */
  realMsPerHour: number;
  /** Wall time of the first hour's write (default: one `realMsPerHour` from now); hour k follows k × realMsPerHour later, so the home keeps pace with a meter's simulated clock. */
  firstAt?: number;
  sinks: SimulatedHomeSinks;
  onHour?: (sample: MeterSample) => void;
  onError?: (error: Error, sample: MeterSample) => void;
}

export interface RunningHome {
  readonly hours: number;
  readonly total: number;
  stop(): Promise<void>;
}

/** The reading of one simulated hour: kWh used, at the hour's (simulated) start. */
export function hourReading(entityId: string, sample: MeterSample): Reading {
  return {
    entity_id: entityId,
    ts: sample.hour.start,
    value: Math.round(sample.hour.kwh * 1000) / 1000,
    unit: 'kWh',
    kind: 'energy',
    hour: sample.hour.hour,
    interval_s: 3600,
  };
}

/** Advances the home one simulated hour every `realMsPerHour` on a fixed schedule, one hour at a time (never overlapping; a late hour goes at once). */
export function startSimulatedHome(options: SimulatedHomeOptions): RunningHome {
  const meter = createMeter(options.source, options.from, options.initialKwh);
  let hours = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();

  const tick = async (): Promise<void> => {
    const sample = meter.next();
    hours += 1;
    try {
      await options.sinks.meter?.(sample);
      await options.sinks.reading?.(hourReading(options.entityId, sample), sample);
      options.onHour?.(sample);
    } catch (error) {
      options.onError?.(error instanceof Error ? error : new Error(String(error)), sample);
    }
  };
  const firstAt = options.firstAt ?? Date.now() + options.realMsPerHour;
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(
      () => {
        current = tick().finally(schedule);
      },
      Math.max(0, firstAt + hours * options.realMsPerHour - Date.now()),
    );
  };
  schedule();

  return {
    get hours() {
      return hours;
    },
    get total() {
      return meter.total;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}
