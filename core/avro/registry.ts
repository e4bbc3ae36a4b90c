import type { Schema } from 'avsc';
import { RegistryError } from './errors';
import { knownSchema, type KnownSchema } from './schemas';

export interface RegistryOptions {
  /** Base of the Confluent-compatible API, e.g. http://127.0.0.1:8081/apis/ccompat/v7. */
  url: string;
  username?: string;
  password?: string;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * A Confluent-compatible schema registry over plain HTTP. Each (subject, schema) is registered
 * once and each id looked up once; the answers are cached for the life of the client.
 */
export class RegistryClient {
  private readonly registered = new Map<string, Promise<number>>();
  private readonly byId = new Map<number, Promise<KnownSchema>>();
  private readonly fetchImpl: typeof fetch;
  private readonly options: RegistryOptions;
  /** The registry's base URL without any credentials: safe to show in errors and logs. */
  readonly url: string;

  constructor(options: RegistryOptions) {
    const { url, username, password } = withoutCredentials(options.url);
    this.options = { ...options, username: options.username || username, password: options.password || password };
    this.url = url.replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** The id of `schema` under `subject`, registering it the first time. */
  idFor(subject: string, schema: KnownSchema): Promise<number> {
    const cacheKey = `${subject}\u0000${schema.canonicalForm}`;
    let id = this.registered.get(cacheKey);
    if (!id) {
      id = this.request(`/subjects/${encodeURIComponent(subject)}/versions`, {
        method: 'POST',
        body: JSON.stringify({ schema: schema.text, schemaType: 'AVRO' }),
      }).then((answer) => {
        const value = (answer as { id?: unknown }).id;
        if (typeof value !== 'number') throw new RegistryError(`registry answered without a schema id for ${subject}`, false);
        this.byId.set(value, Promise.resolve(schema));
        return value;
      });
      id.catch(() => this.registered.delete(cacheKey));
      this.registered.set(cacheKey, id);
    }
    return id;
  }

  /** The writer schema with this id. */
  schemaById(id: number): Promise<KnownSchema> {
    let schema = this.byId.get(id);
    if (!schema) {
      schema = this.request(`/schemas/ids/${id}`, { method: 'GET' }).then((answer) => {
        const text = (answer as { schema?: unknown }).schema;
        if (typeof text !== 'string') throw new RegistryError(`registry has no Avro schema text for id ${id}`, false);
        return knownSchema(JSON.parse(text) as Schema);
      });
      schema.catch(() => this.byId.delete(id));
      this.byId.set(id, schema);
    }
    return schema;
  }

  private async request(path: string, init: { method: string; body?: string }): Promise<unknown> {
    const headers: Record<string, string> = {
      accept: 'application/vnd.schemaregistry.v1+json, application/json',
      'content-type': 'application/vnd.schemaregistry.v1+json',
    };
    if (this.options.username) {
      const token = Buffer.from(`${this.options.username}:${this.options.password ?? ''}`).toString('base64');
      headers.authorization = `Basic ${token}`;
    }
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.url}${path}`, {
        ...init,
        headers,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw new RegistryError(`schema registry ${this.url} unreachable: ${(error as Error).message}`, true, undefined, { cause: error });
    }
    const text = await response.text();
    if (!response.ok) {
      const retriable = response.status >= 500 || response.status === 429 || response.status === 408;
      throw new RegistryError(
        `schema registry ${init.method} ${path} answered ${response.status}: ${text.slice(0, 200)}`,
        retriable,
        response.status,
      );
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new RegistryError(`schema registry ${path} answered with non-JSON: ${text.slice(0, 200)}`, false, response.status);
    }
  }
}

/**
 * `http://user:pw@host/...` is a common way to write a registry with basic auth; fetch refuses
 * such a URL, so the credentials move to the Authorization header and out of every message.
 */
export function withoutCredentials(text: string): { url: string; username?: string; password?: string } {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return { url: text }; // not a URL: the request fails later with "unreachable", as any bad address does
  }
  if (!parsed.username && !parsed.password) return { url: text };
  const username = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.toString(), username, password };
}

export function subjectFor(topic: string): string {
  return `${topic}-value`;
}
