/**
 * Pings on an interval; when no pong arrives in time the connection is half-open (a NAT or proxy
 * dropped it silently, or the peer froze) and `onTimeout` drops it so the reconnect logic runs.
 */
export interface HeartbeatOptions {
  ping: () => Promise<unknown>;
  intervalMs: number;
  timeoutMs: number;
  onTimeout: () => void;
}

export interface Heartbeat {
  stop(): void;
}

export function startHeartbeat(options: HeartbeatOptions): Heartbeat {
  let stopped = false;
  let waiting: NodeJS.Timeout | undefined;
  const beat = (): void => {
    if (stopped || waiting) return;
    waiting = setTimeout(() => {
      waiting = undefined;
      if (stopped) return;
      stopped = true;
      clearInterval(interval);
      options.onTimeout();
    }, options.timeoutMs);
    options.ping().then(
      () => {
        clearTimeout(waiting);
        waiting = undefined;
      },
      // A rejected ping means the connection closed; the close handler deals with it.
      () => undefined,
    );
  };
  const interval = setInterval(beat, options.intervalMs);
  interval.unref?.();
  return {
    stop() {
      stopped = true;
      clearInterval(interval);
      clearTimeout(waiting);
    },
  };
}
