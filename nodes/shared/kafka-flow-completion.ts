import type { NodeAPI } from 'node-red';

type Hooks = NodeAPI['hooks'];
interface MessageLike {
  _msgid?: string;
}
interface DeliveryEvent {
  msg: MessageLike;
}
interface CompleteEvent extends DeliveryEvent {
  node?: { node?: object };
}
/** What the runtime's onReceive/postReceive events say about the receiving node. */
interface ReceiveEvent extends DeliveryEvent {
  destination?: { id?: string; node?: object };
}

interface SendEvent {
  msg: MessageLike;
  source?: { node?: object };
}

interface Tracked {
  id: string;
  /** Deliveries of the message (and its copies) that their receiving node has not finished yet. */
  pending: number;
  /** New message ids a node sent while handling this message (split parts and the like). */
  aliases: string[];
  /** Messages a node let go of while handling this one (a join's parts): they finish with it. */
  dependents: Tracked[];
  onFinished: () => void;
}

/** A node's input handler running for a message (between onReceive and postReceive). */
interface Handling {
  event: ReceiveEvent;
  node: object | undefined;
  entry: Tracked | undefined;
}

/** Deliveries to one node that does not call done(), released one per event-loop turn, in order. */
interface Lane {
  queue: (Tracked | undefined)[];
  releasing: boolean;
}

/**
 * Whether the runtime will signal done (onComplete) for messages this node receives: Node-RED
 * counts the input handlers declared with `(msg, send, done)` in `_expectedDoneCount` and
 * completes a message only when that many handlers called done. A node whose handlers do not take
 * `done` — the core switch and filter (rbe) nodes in Node-RED 4.1, many pre-1.0 third-party nodes —
 * never completes anything.
 */
export function signalsDone(node: object | undefined): boolean {
  if (!node) return true;
  const internals = node as { _expectedDoneCount?: unknown; _inputCallback?: unknown; _inputCallbacks?: unknown };
  if (typeof internals._expectedDoneCount === 'number') return internals._expectedDoneCount > 0;
  // Unknown runtime internals: trust the node to call done (the stricter assumption, it never commits early).
  if (!('_inputCallback' in internals)) return true;
  const handlers = [internals._inputCallback, ...(Array.isArray(internals._inputCallbacks) ? (internals._inputCallbacks as unknown[]) : [])];
  return handlers.some((handler) => typeof handler === 'function' && handler.length >= 3);
}

/**
 * Learns when the flow has finished with a message, from Node-RED's message hooks: every
 * delivery of a message with a tracked `_msgid` (preDeliver; or a direct receive, as link, catch
 * and complete nodes get them) counts up; it counts down when the receiving node is done with it:
 *
 * - a node that signals done: at its `done()` (onComplete);
 * - a node that never calls done (see `signalsDone`): once its input handler has returned and the
 *   node had one more event-loop turn per message queued before it. The core switch node queues
 *   messages that arrive while it is busy and routes one per turn (setImmediate), so a message
 *   counts down only after the switch has routed it (its onward deliveries are counted by then) or
 *   dropped it (no rule matched, unwired output).
 *
 * A node that sends messages with new ids while handling a tracked message (split sends its parts
 * under new ids) sends them on the tracked message's behalf: they count as deliveries of it. A
 * node that lets go of other messages while handling one (a join sends the combined message and
 * then calls done for all its parts) hands them over: they finish when that one finishes.
 *
 * A count reaching zero is confirmed a microtask later, so that what the runtime does right after
 * a done() — a Complete node receiving the message, a Catch node receiving its error — still
 * counts as part of the flow. At zero no node holds the message or a copy of it any more.
 */
export class FlowCompletion {
  /** By message id, the tracked messages and the ids sent on their behalf. */
  private readonly tracked = new Map<string, Tracked>();
  /** Preliminary deliveries per message object (preDeliver), each matched by its onReceive. */
  private readonly predelivered = new WeakMap<object, number>();
  /** The entry a received message object belongs to: a node may delete `_msgid` before done() (split does). */
  private readonly received = new WeakMap<object, Tracked>();
  private readonly lanes = new WeakMap<object, Lane>();
  /** Input handlers running now; nested only with the runtime's synchronous delivery. */
  private readonly handling: Handling[] = [];
  private closed = false;

  constructor(
    private readonly hooks: Hooks,
    private readonly label: string,
  ) {
    hooks.add(`onSend.${label}`, (events: SendEvent[]) => {
      const current = this.handling[this.handling.length - 1];
      if (!current?.entry || !Array.isArray(events)) return;
      for (const event of events) {
        const id = event.msg?._msgid;
        if (id === undefined || event.source?.node !== current.node || this.tracked.has(id)) continue;
        this.tracked.set(id, current.entry);
        current.entry.aliases.push(id);
      }
    });
    hooks.add(`preDeliver.${label}`, (event: DeliveryEvent) => {
      const entry = this.entryOf(event.msg);
      if (!entry) return;
      entry.pending += 1;
      this.predelivered.set(event.msg, (this.predelivered.get(event.msg) ?? 0) + 1);
    });
    hooks.add(`onReceive.${label}`, (event: ReceiveEvent) => {
      const entry = this.entryOf(event.msg);
      this.handling.push({ event, node: event.destination?.node, entry });
      if (!entry) return;
      this.received.set(event.msg, entry);
      const expected = this.predelivered.get(event.msg) ?? 0;
      if (expected > 1) this.predelivered.set(event.msg, expected - 1);
      else if (expected === 1) this.predelivered.delete(event.msg);
      else entry.pending += 1;
    });
    hooks.add(`postReceive.${label}`, (event: ReceiveEvent) => {
      const at = this.handling.findIndex((handling) => handling.event === event);
      const handling = at >= 0 ? this.handling.splice(at).shift() : undefined;
      const node = event.destination?.node;
      if (node && !signalsDone(node)) this.releaseLater(node, handling?.entry);
    });
    hooks.add(`onComplete.${label}`, (event: CompleteEvent) => {
      const msg = event.msg;
      const entry = msg === undefined ? undefined : (this.entryOf(msg) ?? this.received.get(msg));
      const current = this.handling[this.handling.length - 1];
      if (entry && current?.entry && current.entry !== entry && current.node === event.node?.node && current.entry.pending > 0) {
        current.entry.dependents.push(entry);
        return;
      }
      this.countDown(entry);
    });
  }

  /** Call before sending a message with this `_msgid`. */
  track(msgid: string, onFinished: () => void): void {
    this.tracked.set(msgid, { id: msgid, pending: 0, aliases: [], dependents: [], onFinished });
  }

  /** Call right after sending: a message that reached no node (no wires) is finished at once. */
  sent(msgid: string): void {
    const entry = this.tracked.get(msgid);
    if (entry && entry.pending <= 0) this.finish(entry);
  }

  /** Messages sent and not finished yet. */
  get size(): number {
    let count = 0;
    for (const [id, entry] of this.tracked) if (id === entry.id) count += 1;
    return count;
  }

  /** Removes the hooks; messages still out are left unfinished (and so uncommitted). */
  close(): void {
    this.closed = true;
    this.hooks.remove(`*.${this.label}`);
    this.tracked.clear();
    this.handling.length = 0;
  }

  private entryOf(msg: MessageLike | undefined): Tracked | undefined {
    const id = msg?._msgid;
    return id === undefined ? undefined : this.tracked.get(id);
  }

  private countDown(entry: Tracked | undefined): void {
    if (!entry) return;
    entry.pending -= 1;
    if (entry.pending > 0) return;
    queueMicrotask(() => {
      if (entry.pending <= 0 && !this.closed) this.finish(entry);
    });
  }

  /**
   * Every delivery to the node takes its place in the lane, tracked or not (an untracked message
   * queued in a switch delays the tracked ones behind it just the same).
   */
  private releaseLater(node: object, entry: Tracked | undefined): void {
    let lane = this.lanes.get(node);
    if (!lane) {
      lane = { queue: [], releasing: false };
      this.lanes.set(node, lane);
    }
    lane.queue.push(entry);
    if (!lane.releasing) this.releaseNext(lane);
  }

  private releaseNext(lane: Lane): void {
    lane.releasing = true;
    setImmediate(() => {
      if (this.closed) return;
      this.countDown(lane.queue.shift());
      if (lane.queue.length > 0) this.releaseNext(lane);
      else lane.releasing = false;
    });
  }

  /** Once only: a late count on a finished message (a node calling done twice) changes nothing. */
  private finish(entry: Tracked): void {
    if (entry.pending === Number.NEGATIVE_INFINITY) return;
    entry.pending = Number.NEGATIVE_INFINITY;
    for (const id of [entry.id, ...entry.aliases]) if (this.tracked.get(id) === entry) this.tracked.delete(id);
    entry.onFinished();
    for (const dependent of entry.dependents.splice(0)) this.countDown(dependent);
  }
}
