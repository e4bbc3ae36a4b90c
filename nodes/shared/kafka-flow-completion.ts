import type { NodeAPI } from 'node-red';

type Hooks = NodeAPI['hooks'];
interface MessageLike {
  _msgid?: string;
}
interface DeliveryEvent {
  msg: MessageLike;
}

interface Tracked {
  /** Deliveries of the message (and its clones) not yet completed by their receiving node. */
  pending: number;
  onFinished: () => void;
}

/**
 * Learns when the flow has finished with a message, from Node-RED's message hooks:
 * every delivery of a message with a tracked `_msgid` (preDeliver; or a direct receive, as link
 * and catch nodes do) counts up, every `done()` of a node handling it (onComplete) counts down.
 * At zero no node holds the message or a copy of it any more.
 */
export class FlowCompletion {
  private readonly tracked = new Map<string, Tracked>();
  /** Message objects already counted at preDeliver, so their onReceive does not count twice. */
  private readonly counted = new WeakSet<object>();

  constructor(
    private readonly hooks: Hooks,
    private readonly label: string,
  ) {
    hooks.add(`preDeliver.${label}`, (event: DeliveryEvent) => {
      const entry = this.entryOf(event.msg);
      if (!entry) return;
      entry.pending += 1;
      this.counted.add(event.msg);
    });
    hooks.add(`onReceive.${label}`, (event: DeliveryEvent) => {
      const entry = this.entryOf(event.msg);
      if (!entry) return;
      if (this.counted.has(event.msg)) this.counted.delete(event.msg);
      else entry.pending += 1;
    });
    hooks.add(`onComplete.${label}`, (event: DeliveryEvent) => {
      const id = event.msg?._msgid;
      const entry = id === undefined ? undefined : this.tracked.get(id);
      if (!entry || id === undefined) return;
      entry.pending -= 1;
      if (entry.pending <= 0) this.finish(id, entry);
    });
  }

  /** Call before sending a message with this `_msgid`. */
  track(msgid: string, onFinished: () => void): void {
    this.tracked.set(msgid, { pending: 0, onFinished });
  }

  /** Call right after sending: a message that reached no node (no wires) is finished at once. */
  sent(msgid: string): void {
    const entry = this.tracked.get(msgid);
    if (entry && entry.pending <= 0) this.finish(msgid, entry);
  }

  /** Messages sent and not finished yet. */
  get size(): number {
    return this.tracked.size;
  }

  /** Removes the hooks; messages still out are left unfinished (and so uncommitted). */
  close(): void {
    this.hooks.remove(`*.${this.label}`);
    this.tracked.clear();
  }

  private entryOf(msg: MessageLike | undefined): Tracked | undefined {
    const id = msg?._msgid;
    return id === undefined ? undefined : this.tracked.get(id);
  }

  private finish(msgid: string, entry: Tracked): void {
    this.tracked.delete(msgid);
    entry.onFinished();
  }
}
