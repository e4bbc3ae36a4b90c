/**
 * Alerts waiting for Home Assistant to come back. Bounded: when full the oldest is dropped and
 * reported, so a long outage costs memory once, not forever.
 */
export class BoundedQueue<T> {
  private readonly items: T[] = [];

  constructor(
    private readonly capacity: number,
    private readonly onDrop: (dropped: T) => void,
  ) {}

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    this.items.push(item);
    while (this.items.length > this.capacity) {
      const dropped = this.items.shift();
      if (dropped !== undefined) this.onDrop(dropped);
    }
  }

  /** Removes and returns everything, oldest first. */
  drain(): T[] {
    return this.items.splice(0);
  }

  /** Takes out the items that match (e.g. an alert that has become pointless before it was sent). */
  remove(matches: (item: T) => boolean): T[] {
    const removed = this.items.filter(matches);
    if (removed.length > 0) this.items.splice(0, this.items.length, ...this.items.filter((item) => !matches(item)));
    return removed;
  }

  /** Puts items back at the front (a flush that failed half-way). */
  requeue(items: readonly T[]): void {
    this.items.unshift(...items);
    while (this.items.length > this.capacity) {
      const dropped = this.items.shift();
      if (dropped !== undefined) this.onDrop(dropped);
    }
  }
}
