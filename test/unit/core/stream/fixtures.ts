import { ValueCodec } from '../../../../core/avro/codec';
import { RegistryClient } from '../../../../core/avro/registry';
import type { ConsumedMessage, InFlightMessage } from '../../../../core/kafka/types';

/** A Confluent-compatible registry in memory that can be switched off: while down, every call fails as an unreachable host does. */
export function switchableRegistry(): { fetch: typeof fetch; calls: () => number; down: boolean } {
  const schemas: string[] = [];
  let calls = 0;
  const registry = {
    down: false,
    calls: () => calls,
    fetch: (async (input: string | URL | Request, init?: RequestInit) => {
      calls += 1;
      if (registry.down) throw new TypeError('fetch failed: connect ECONNREFUSED');
      const url = String(input);
      if (/\/versions$/.test(url)) {
        const { schema } = JSON.parse(String(init?.body)) as { schema: string };
        const id = schemas.includes(schema) ? schemas.indexOf(schema) + 1 : schemas.push(schema);
        return new Response(JSON.stringify({ id }), { status: 200 });
      }
      const schema = schemas[Number(/\/ids\/(\d+)$/.exec(url)?.[1]) - 1];
      return schema ? new Response(JSON.stringify({ schema }), { status: 200 }) : new Response('{"error_code":40403}', { status: 404 });
    }) as typeof fetch,
  };
  return registry;
}

/** A codec of its own on the registry (nothing cached), as a freshly started consumer has. */
export function registryCodec(registry: { fetch: typeof fetch }): ValueCodec {
  return new ValueCodec({ registry: new RegistryClient({ url: 'http://registry', fetch: registry.fetch }) });
}

export function consumed(offset: number, value: Buffer | string | null, key: string | null = null, partition = 0): ConsumedMessage {
  return {
    topic: 'in',
    partition,
    offset: String(offset),
    key: key === null ? null : Buffer.from(key),
    value: typeof value === 'string' ? Buffer.from(value) : value,
    headers: { origin: 'test' },
    timestamp: String(Date.UTC(2026, 0, 1)),
  };
}

/** Messages as the consumer hands them out, recording which were finished (committable). */
export function inFlight(messages: ConsumedMessage[]): { items: InFlightMessage[]; finished: string[] } {
  const finished: string[] = [];
  return { finished, items: messages.map((message) => ({ message, finish: () => finished.push(message.offset) })) };
}
