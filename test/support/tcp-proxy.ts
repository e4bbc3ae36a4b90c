import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy a test controls, between a client and a real service: `cut()` destroys every open
 * connection (the peer sees a reset), `refuse()` closes new connections at once (service down),
 * `freeze()` keeps connections open but forwards nothing (a half-open link: only a heartbeat
 * notices), `heal()` returns to normal forwarding: new connections, and the frozen ones that are
 * still open carry on with what was held back, as TCP does when a stalled link comes back.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly pairs = new Set<{ client: Socket; upstream: Socket; frozen: boolean }>();
  private mode: 'forward' | 'refuse' | 'freeze' = 'forward';
  /** Connections accepted since start, to tell a reconnect happened. */
  connections = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<number> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    if (typeof address !== 'object' || address === null) throw new Error('proxy has no address');
    return address.port;
  }

  get url(): string {
    const address = this.server?.address();
    if (typeof address !== 'object' || address === null) throw new Error('proxy not started');
    return `http://127.0.0.1:${address.port}`;
  }

  cut(): void {
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  refuse(): void {
    this.mode = 'refuse';
    this.cut();
  }

  freeze(): void {
    this.mode = 'freeze';
    for (const pair of this.pairs) {
      pair.client.unpipe(pair.upstream);
      pair.upstream.unpipe(pair.client);
      pair.client.pause();
      pair.upstream.pause();
      pair.frozen = true;
    }
  }

  heal(): void {
    this.mode = 'forward';
    for (const pair of this.pairs) {
      if (!pair.frozen) continue;
      pair.frozen = false;
      pair.client.pipe(pair.upstream);
      pair.upstream.pipe(pair.client);
    }
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(client: Socket): void {
    if (this.mode === 'refuse') {
      client.destroy();
      return;
    }
    this.connections += 1;
    const upstream = connect(this.targetPort, this.targetHost);
    const pair = { client, upstream, frozen: false };
    this.pairs.add(pair);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      this.pairs.delete(pair);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    if (this.mode === 'freeze') {
      client.pause();
      upstream.pause();
      pair.frozen = true;
      return;
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
