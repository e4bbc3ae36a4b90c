/**
 * Location kind: a position is unusual when it is far from every place this series has been
 * at the same hour of day (±1) on the same kind of day (weekday/weekend).
 */
import { dayMs, haversineKm, hourOfDay } from '../../units';
import { isWeekend } from '../calendar';
import { quantile } from '../stats';

export interface LocationPoint {
  ts: number;
  latitude: number;
  longitude: number;
}

export interface LocationModelParams {
  type: 'location';
  /** Places seen, bucketed by (weekend ? 24 : 0) + hour. */
  places: [number, number][][];
  /** Distance (km) that scores 1. */
  radiusKm: number;
}

function bucket(ts: number): number {
  return (isWeekend(ts) ? 24 : 0) + hourOfDay(ts);
}

function nearest(params: LocationModelParams, ts: number, place: [number, number], skip?: [number, number]): number {
  const b = bucket(ts);
  const base = b >= 24 ? 24 : 0;
  let best = Infinity;
  for (const offset of [-1, 0, 1]) {
    const candidates = params.places[base + ((b - base + offset + 24) % 24)] ?? [];
    for (const candidate of candidates) {
      if (candidate === skip) continue;
      best = Math.min(best, haversineKm({ latitude: candidate[0], longitude: candidate[1] }, { latitude: place[0], longitude: place[1] }));
    }
  }
  return best;
}

/** Learns the places; the radius is the 0.99 quantile of each point's distance to its others (at least 1 km). */
export function fitLocationModel(points: readonly LocationPoint[]): LocationModelParams {
  const params: LocationModelParams = { type: 'location', places: Array.from({ length: 48 }, () => []), radiusKm: 1 };
  const entries = points.map((point) => ({ ts: point.ts, place: [point.latitude, point.longitude] as [number, number] }));
  for (const entry of entries) params.places[bucket(entry.ts)]?.push(entry.place);
  const distances = entries.map((entry) => nearest(params, entry.ts, entry.place, entry.place)).filter(Number.isFinite);
  params.radiusKm = Math.max(1, distances.length > 0 ? 1.5 * quantile(distances, 0.99) : 1);
  return params;
}

/** Score: distance to the nearest usual place at that time, over the radius (> 1 anomalous). */
export function scoreLocation(params: LocationModelParams, point: LocationPoint): { score: number; distanceKm: number } {
  const distanceKm = nearest(params, point.ts, [point.latitude, point.longitude]);
  if (!Number.isFinite(distanceKm)) return { score: 0, distanceKm };
  return { score: distanceKm / params.radiusKm, distanceKm };
}

/** Online location series: learns places for `learnDays`, then scores each position (refits daily). */
export class LocationDetector {
  private readonly history: LocationPoint[] = [];
  private model: LocationModelParams | null = null;
  private fittedAt: number | null = null;
  private lastScore: number | null = null;

  constructor(
    readonly entityId: string,
    private readonly learnDays = 14,
    private readonly refitEveryMs = dayMs,
  ) {}

  score(point: LocationPoint): { score: number; distanceKm: number; ready: boolean } {
    const first = this.history[0]?.ts ?? point.ts;
    const due = this.fittedAt === null ? point.ts - first >= this.learnDays * dayMs : point.ts - this.fittedAt >= this.refitEveryMs;
    if (due) {
      this.model = fitLocationModel(this.history);
      this.fittedAt = point.ts;
    }
    const result = this.model ? scoreLocation(this.model, point) : { score: 0, distanceKm: Number.NaN };
    if (result.score <= 1) this.history.push(point);
    const cutoff = point.ts - 120 * dayMs;
    while (this.history.length > 0 && (this.history[0] as LocationPoint).ts < cutoff) this.history.shift();
    this.lastScore = result.score;
    return { ...result, ready: this.model !== null };
  }

  status(): { have: number; need: number; ready: boolean; lastScore: number | null } {
    return { have: this.history.length, need: this.learnDays * 24, ready: this.model !== null, lastScore: this.lastScore };
  }
}
