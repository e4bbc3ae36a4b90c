interface Held<T> {
  item: T;
  timer: NodeJS.Timeout;
}

/**
 * Per entity, at most one score-sensor update per interval: an update inside the interval is
 * held and the newest held one goes out when the interval ends. An anomalous reading, and a
 * return to normal, always go at once (the chart must show the crossing of the threshold).
 */
export class SensorThrottle<T> {
  private readonly last = new Map<string, { at: number; anomaly: boolean }>();
  private readonly held = new Map<string, Held<T>>();

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number,
    private readonly onDue: (entityId: string, item: T) => void,
  ) {}

  /** True: send it now. False: held, `onDue` gets it (or a newer one) when the interval ends. */
  offer(entityId: string, item: T, anomaly: boolean): boolean {
    const now = this.now();
    const last = this.last.get(entityId);
    if (!last || anomaly || last.anomaly || now - last.at >= this.intervalMs) {
      this.cancel(entityId);
      this.last.set(entityId, { at: now, anomaly });
      return true;
    }
    const held = this.held.get(entityId);
    if (held) {
      held.item = item;
      return false;
    }
    const wait = Math.min(this.intervalMs, Math.max(0, last.at + this.intervalMs - now));
    const timer = setTimeout(() => {
      const due = this.held.get(entityId);
      if (!due) return;
      this.held.delete(entityId);
      this.last.set(entityId, { at: this.now(), anomaly: false });
      this.onDue(entityId, due.item);
    }, wait);
    timer.unref?.();
    this.held.set(entityId, { item, timer });
    return false;
  }

  /** Updates held now; they are dropped by `stop`. */
  get size(): number {
    return this.held.size;
  }

  stop(): void {
    for (const entityId of [...this.held.keys()]) this.cancel(entityId);
  }

  private cancel(entityId: string): void {
    const held = this.held.get(entityId);
    if (!held) return;
    clearTimeout(held.timer);
    this.held.delete(entityId);
  }
}
