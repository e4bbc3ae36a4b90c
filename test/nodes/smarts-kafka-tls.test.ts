import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { createServer, type Server } from 'node:tls';
import { helper, onTab, statuses, testNodeModules, waitFor, type FlowNode } from '../integration/kafka/support';

/**
 * A broker whose certificate does not match (issue 16's bad-input catalogue): a local TLS server
 * with a certificate for 127.0.0.1 only, from a private CA. Reached as `localhost` with that CA
 * configured, the name does not match; with no CA, the issuer is unknown. Either way the producer
 * node must say TLS on its status and send the message to Catch, not retry forever in silence.
 */
describe('smarts-kafka-out against a broker whose TLS certificate does not match', () => {
  const dir = mkdtempSync(join(tmpdir(), 'smarts-node-tls-'));
  let server: Server | undefined;
  let port = 0;
  let haveOpenssl = true;

  before(async () => {
    try {
      const openssl = (...args: string[]): void => {
        execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
      };
      openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=smarts-node-test-ca');
      openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
      execFileSync('bash', ['-c', 'printf "subjectAltName=IP:127.0.0.1\\n" > ext.cnf'], { cwd: dir });
      openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '1', '-extfile', 'ext.cnf');
    } catch {
      haveOpenssl = false;
      return;
    }
    const tlsServer = createServer({ key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) }, (socket) => socket.destroy());
    tlsServer.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', () => resolve()));
    port = (tlsServer.address() as { port: number }).port;
    server = tlsServer;
  });
  afterEach(async () => {
    await helper.unload();
  });
  after(() => {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function flow(broker: Record<string, unknown>): FlowNode[] {
    return onTab([
      { id: 'broker', type: 'smarts-kafka-broker', saslMechanism: 'none', logLevel: 'nothing', tls: true, tlsVerify: true, ...broker },
      { id: 'out', type: 'smarts-kafka-out', broker: 'broker', topic: 'tls-test', format: 'json', bufferCount: 100, wires: [[]] },
      { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
      { id: 'errors', type: 'helper' },
    ]);
  }

  for (const [name, broker, reason] of [
    ['a host name the certificate does not name (localhost for a 127.0.0.1 certificate)', () => ({ brokers: `localhost:${port}`, tlsCa: join(dir, 'ca.pem') }), /TLS: .*(altnames|does not match)/i],
    ['a certificate from a CA the node does not trust', () => ({ brokers: `127.0.0.1:${port}` }), /TLS: .*(certificate|self[- ]signed)/i],
  ] as const) {
    it(`${name}: the message goes to Catch with a TLS error, the status says TLS`, { timeout: 120_000 }, async (t) => {
      if (!haveOpenssl) return t.skip('openssl is not available to make test certificates');
      await helper.load(testNodeModules(), flow(broker()));
      const out = helper.getNode('out');
      const seen = statuses(out);
      const errors: Record<string, unknown>[] = [];
      helper.getNode('errors').on('input', (msg: never) => errors.push(msg));
      out.receive({ payload: { entity_id: 'sensor.tls', ts: Date.UTC(2026, 0, 1), value: 1 } });
      await waitFor(() => errors.length === 1, 100_000, "the refused message at Catch").catch((error: Error) => { throw new Error(`${error.message}; statuses: ${JSON.stringify(seen)}`); });
      assert.match((errors[0]?.error as { message: string }).message, reason);
      assert.deepEqual(errors[0]?.payload, { entity_id: 'sensor.tls', ts: Date.UTC(2026, 0, 1), value: 1 }, 'Catch gets the message that was not sent');
      await waitFor(() => seen.some((status) => /TLS/.test(status.text ?? '')), 10_000, 'a status naming TLS');
    });
  }
});
