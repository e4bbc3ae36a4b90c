import WebSocket from 'ws';
import { ERR_CANNOT_CONNECT, ERR_INVALID_AUTH } from 'home-assistant-js-websocket';

export interface SocketOptions {
  websocketUrl: string;
  token: string;
  /** Bound on TCP connect + websocket upgrade + auth; a stalled peer otherwise hangs forever. */
  connectTimeoutMs: number;
  /** TLS is verified unless this is explicitly false. */
  rejectUnauthorized?: boolean;
}

/** A `ws` socket that passed Home Assistant's auth phase, shaped as home-assistant-js-websocket expects. */
export type AuthedSocket = WebSocket & { haVersion: string };

interface AuthMessage {
  type?: string;
  ha_version?: string;
  message?: string;
}

/**
 * Opens one websocket and runs the auth phase (auth_required → auth → auth_ok | auth_invalid).
 * Rejects with the library's ERR_INVALID_AUTH when the token is refused (its Connection then stops
 * reconnecting and fires "reconnect-error") and ERR_CANNOT_CONNECT for anything else.
 * It never retries itself: the caller owns the retry policy.
 */
export function openAuthenticatedSocket(options: SocketOptions): Promise<AuthedSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(options.websocketUrl, {
      rejectUnauthorized: options.rejectUnauthorized !== false,
      handshakeTimeout: options.connectTimeoutMs,
      perMessageDeflate: false,
    });
    let settled = false;
    const finish = (outcome: number | AuthedSocket): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.off('message', onMessage);
      socket.off('close', onClose);
      socket.off('error', onError);
      // ws emits 'error' (e.g. terminate() while still connecting); with no listener that would
      // throw and take the process down. The outcome is already decided, so it is only swallowed.
      socket.on('error', () => undefined);
      if (typeof outcome === 'number') {
        socket.terminate();
        reject(outcome);
      } else {
        resolve(outcome);
      }
    };
    const timer = setTimeout(() => finish(ERR_CANNOT_CONNECT), options.connectTimeoutMs);
    const onMessage = (data: WebSocket.RawData): void => {
      let message: AuthMessage;
      try {
        message = JSON.parse(data.toString()) as AuthMessage;
      } catch {
        finish(ERR_CANNOT_CONNECT);
        return;
      }
      if (message.type === 'auth_required') {
        socket.send(JSON.stringify({ type: 'auth', access_token: options.token }));
      } else if (message.type === 'auth_invalid') {
        finish(ERR_INVALID_AUTH);
      } else if (message.type === 'auth_ok') {
        const authed = socket as AuthedSocket;
        authed.haVersion = message.ha_version ?? '';
        // Lets HA batch messages; the library's Connection unpacks arrays. Id 1 is reserved for it.
        socket.send(JSON.stringify({ type: 'supported_features', id: 1, features: { coalesce_messages: 1 } }));
        finish(authed);
      }
    };
    const onClose = (): void => finish(ERR_CANNOT_CONNECT);
    const onError = (): void => finish(ERR_CANNOT_CONNECT);
    socket.on('message', onMessage);
    socket.on('close', onClose);
    socket.on('error', onError);
  });
}
