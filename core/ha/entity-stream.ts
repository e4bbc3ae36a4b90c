/**
 * Decodes the compressed messages of `subscribe_entities` ({a: additions, c: changes, r: removals};
 * states as {s, a, lc, lu} with epoch seconds) into full states. Attributes only arrive in full on
 * an addition; changes carry what changed, so the last attributes are kept per entity.
 */
export interface EntityState {
  entity_id: string;
  state: string;
  attributes: Record<string, unknown>;
  /** last_updated, epoch ms. */
  ts: number;
  /** From a subscription's initial snapshot ("a"): the current state, possibly already known. */
  snapshot?: boolean;
}

interface CompressedState {
  s?: string;
  a?: Record<string, unknown>;
  lc?: number;
  lu?: number;
}

interface CompressedMessage {
  a?: Record<string, CompressedState>;
  c?: Record<string, { '+'?: CompressedState; '-'?: { a?: string[] } }>;
  r?: string[];
}

export class EntityStreamDecoder {
  private readonly known = new Map<string, EntityState>();

  /** Every state the message carries, in message order. */
  decode(message: unknown): EntityState[] {
    const out: EntityState[] = [];
    if (typeof message !== 'object' || message === null) return out;
    const { a: additions, c: changes, r: removals } = message as CompressedMessage;
    for (const [entityId, compressed] of Object.entries(additions ?? {})) {
      const state: EntityState = {
        entity_id: entityId,
        state: String(compressed.s ?? ''),
        attributes: { ...(compressed.a ?? {}) },
        ts: secondsToMs(compressed.lu ?? compressed.lc),
      };
      this.known.set(entityId, state);
      out.push({ ...state, snapshot: true });
    }
    for (const [entityId, diff] of Object.entries(changes ?? {})) {
      const previous = this.known.get(entityId);
      if (!previous) continue;
      const plus = diff['+'] ?? {};
      const attributes = { ...previous.attributes, ...(plus.a ?? {}) };
      for (const removed of diff['-']?.a ?? []) delete attributes[removed];
      const state: EntityState = {
        entity_id: entityId,
        state: plus.s !== undefined ? String(plus.s) : previous.state,
        attributes,
        ts: plus.lu !== undefined || plus.lc !== undefined ? secondsToMs(plus.lu ?? plus.lc) : previous.ts,
      };
      this.known.set(entityId, state);
      out.push(state);
    }
    for (const entityId of removals ?? []) this.known.delete(entityId);
    return out;
  }

  latest(entityId: string): EntityState | undefined {
    return this.known.get(entityId);
  }
}

function secondsToMs(seconds: number | undefined): number {
  return seconds === undefined ? Date.now() : Math.round(seconds * 1000);
}
