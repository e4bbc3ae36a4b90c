/** One consumed message the flow has not finished yet. */
export interface Ticket {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly generation: number;
}

/** The offset to commit for a partition: the next one to read. */
export interface CommitPoint {
  topic: string;
  partition: number;
  offset: string;
}

interface Entry {
  offset: bigint;
  done: boolean;
}

/**
 * Commit-after-done bookkeeping. Messages of a partition are begun in offset order and may
 * finish in any order; the committable offset only advances past a message once it and every
 * message before it in that partition are finished.
 */
export class OffsetTracker {
  private readonly partitions = new Map<string, Entry[]>();
  private generation = 0;

  begin(topic: string, partition: number, offset: string): Ticket {
    const key = partitionKey(topic, partition);
    const entries = this.partitions.get(key) ?? [];
    entries.push({ offset: BigInt(offset), done: false });
    this.partitions.set(key, entries);
    return { topic, partition, offset, generation: this.generation };
  }

  /** Marks the message finished; returns the new commit point when it advanced. */
  finish(ticket: Ticket): CommitPoint | undefined {
    if (ticket.generation !== this.generation) return undefined;
    const entries = this.partitions.get(partitionKey(ticket.topic, ticket.partition));
    if (!entries) return undefined;
    const entry = entries[indexOf(entries, BigInt(ticket.offset))];
    if (!entry || entry.done) return undefined;
    entry.done = true;
    let committed: bigint | undefined;
    while (entries.length > 0 && (entries[0] as Entry).done) committed = (entries.shift() as Entry).offset;
    return committed === undefined ? undefined : { topic: ticket.topic, partition: ticket.partition, offset: (committed + 1n).toString() };
  }

  /** Counts resets (rebalances): tickets of an older generation move no commit point. */
  get currentGeneration(): number {
    return this.generation;
  }

  /** Unfinished messages across all partitions. */
  get pending(): number {
    let count = 0;
    for (const entries of this.partitions.values()) count += entries.filter((entry) => !entry.done).length;
    return count;
  }

  /**
   * After a rebalance the broker redelivers from the committed offsets; what was in flight
   * before no longer moves any commit point.
   */
  reset(): void {
    this.partitions.clear();
    this.generation += 1;
  }
}

/** Entries are begun in offset order: a binary search finds one (or where it would be). */
function indexOf(entries: Entry[], offset: bigint): number {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((entries[middle] as Entry).offset < offset) low = middle + 1;
    else high = middle;
  }
  return entries[low]?.offset === offset ? low : -1;
}

function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
