/**
 * When a push notification goes out: at most one per entity per cooldown unless the new score is
 * higher than the one that was sent, and none during quiet hours (the other channels — event,
 * sensor, persistent notification — still happen).
 */
export interface PolicyOptions {
  cooldownMs: number;
  /** "22:00"-"07:00" style, local time; the window may wrap midnight. Both empty: no quiet hours. */
  quietStart?: string;
  quietEnd?: string;
}

export type PushDecision = { push: true } | { push: false; reason: 'cooldown' | 'quiet-hours' };

interface Sent {
  at: number;
  score: number;
}

export function parseClock(text: string): number | undefined {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!match) return undefined;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  if (hours > 23 || minutes > 59) return undefined;
  return hours * 60 + minutes;
}

export function inQuietHours(ts: number, start: string | undefined, end: string | undefined): boolean {
  if (!start || !end) return false;
  const from = parseClock(start);
  const to = parseClock(end);
  if (from === undefined || to === undefined || from === to) return false;
  const date = new Date(ts);
  const minute = date.getHours() * 60 + date.getMinutes();
  return from < to ? minute >= from && minute < to : minute >= from || minute < to;
}

export class AlertPolicy {
  private readonly sent = new Map<string, Sent>();

  constructor(private readonly options: PolicyOptions) {}

  decide(entityId: string, score: number, now: number): PushDecision {
    if (inQuietHours(now, this.options.quietStart, this.options.quietEnd)) return { push: false, reason: 'quiet-hours' };
    const last = this.sent.get(entityId);
    if (last && now - last.at < this.options.cooldownMs && score <= last.score) return { push: false, reason: 'cooldown' };
    return { push: true };
  }

  recordSent(entityId: string, score: number, now: number): void {
    this.sent.set(entityId, { at: now, score });
  }

  /** Whether a notification for the entity may still be showing (so a return to normal clears it). */
  hasActive(entityId: string): boolean {
    return this.sent.has(entityId);
  }

  clear(entityId: string): void {
    this.sent.delete(entityId);
  }
}
