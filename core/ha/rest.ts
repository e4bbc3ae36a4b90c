import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface RestResponse {
  status: number;
  body: string;
}

export interface RestOptions {
  token: string;
  /** TLS is verified unless this is explicitly false (the same switch as the websocket's). */
  rejectUnauthorized?: boolean;
  timeoutMs?: number;
}

/**
 * One JSON request to Home Assistant's REST API with the bearer token. node:http(s) rather than
 * global fetch, so the server node's TLS setting applies here as it does to the websocket.
 */
export function restRequest(method: 'GET' | 'POST', url: string, body: unknown, options: RestOptions): Promise<RestResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      target,
      {
        method,
        headers: {
          authorization: `Bearer ${options.token}`,
          'content-type': 'application/json',
          ...(payload ? { 'content-length': String(payload.length) } : {}),
        },
        rejectUnauthorized: options.rejectUnauthorized !== false,
        timeout: options.timeoutMs ?? 15_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${target.host} within ${options.timeoutMs ?? 15_000} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}
