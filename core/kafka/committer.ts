import type { CommitPoint } from './offset-tracker';

/**
 * Coalesces commit points: at most one commit request at a time, each carrying the latest
 * point of every partition that moved since the last one.
 */
export class Committer {
  private readonly waiting = new Map<string, CommitPoint>();
  private running: Promise<void> | undefined;

  constructor(
    private readonly commit: (points: CommitPoint[]) => Promise<void>,
    private readonly onError: (error: unknown, points: CommitPoint[]) => void,
  ) {}

  add(point: CommitPoint): void {
    this.waiting.set(`${point.topic}\u0000${point.partition}`, point);
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves once everything added so far has been committed (or failed). */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Drops points not yet sent (their partitions were revoked). */
  clear(): void {
    this.waiting.clear();
  }

  private async drain(): Promise<void> {
    while (this.waiting.size > 0) {
      const points = [...this.waiting.values()];
      this.waiting.clear();
      try {
        await this.commit(points);
      } catch (error) {
        this.onError(error, points);
      }
    }
  }
}
