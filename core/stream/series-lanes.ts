/**
 * One queue per series: items of a series are run in the order they were pushed, a run (all the
 * series' items waiting, up to `maxRun`) at a time, while different series run side by side.
 */
export class SeriesLanes<T> {
  private readonly lanes = new Map<string, T[]>();

  constructor(
    /** Handles a run; the series' next run starts once it resolved. Must not reject. */
    private readonly run: (items: T[]) => Promise<void>,
    private readonly maxRun = 500,
  ) {}

  /** Series with items waiting or running. */
  get size(): number {
    return this.lanes.size;
  }

  push(series: string, item: T): void {
    const queue = this.lanes.get(series);
    if (queue) {
      queue.push(item);
      return;
    }
    const fresh = [item];
    this.lanes.set(series, fresh);
    void this.drain(series, fresh);
  }

  private async drain(series: string, queue: T[]): Promise<void> {
    // One turn first: the rest of a consumed batch joins the series' first run.
    await Promise.resolve();
    while (queue.length > 0) await this.run(queue.splice(0, this.maxRun));
    this.lanes.delete(series);
  }
}
