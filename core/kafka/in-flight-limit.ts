/** A counting limit on messages handed to the flow and not yet finished. */
export class InFlightLimit {
  private count = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`in-flight limit must be a positive integer, got ${max}`);
  }

  get inFlight(): number {
    return this.count;
  }

  get full(): boolean {
    return this.count >= this.max;
  }

  /** Resolves true once a slot is taken; false when `until` resolved first (nothing taken). */
  async acquire(until?: Promise<unknown>): Promise<boolean> {
    while (this.count >= this.max) {
      let wakeUp: (() => void) | undefined;
      const freed = new Promise<'freed'>((resolve) => {
        wakeUp = () => resolve('freed');
        this.waiters.push(wakeUp);
      });
      const outcome = await (until ? Promise.race([freed, until.then(() => 'gave-up' as const)]) : freed);
      if (outcome === 'gave-up') {
        const index = this.waiters.indexOf(wakeUp as () => void);
        if (index >= 0) this.waiters.splice(index, 1);
        return false;
      }
    }
    this.count += 1;
    return true;
  }

  /** Takes a slot only when one is free now. */
  tryAcquire(): boolean {
    if (this.count >= this.max) return false;
    this.count += 1;
    return true;
  }

  release(): void {
    if (this.count > 0) this.count -= 1;
    this.waiters.shift()?.();
  }

  /** Wakes every waiter (they re-check; used when stopping). */
  wakeAll(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }
}
