/**
 * De-duplicates alerts by series and interval: with at-least-once delivery a worker that crashed
 * may score an interval again and send the same anomaly twice. Remembers the (entity, interval
 * start) pairs already alerted on, the newest `capacity` of them (oldest forgotten first).
 */
export const defaultDedupCapacity = 10_000;

export class AlertDedup {
  private readonly seen = new Set<string>();

  constructor(private readonly capacity = defaultDedupCapacity) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`alert de-duplication capacity must be a positive integer, got ${capacity}`);
  }

  /** True the first time an entity's interval is offered (and remembers it); false for a repeat. */
  firstTime(entityId: string, intervalStart: number): boolean {
    const key = `${entityId}\u0000${intervalStart}`;
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    if (this.seen.size > this.capacity) {
      const oldest = this.seen.values().next().value as string;
      this.seen.delete(oldest);
    }
    return true;
  }

  get size(): number {
    return this.seen.size;
  }
}
