import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createServer, type Server } from 'node:tls';
import { createKafkaClient } from '../../../../core/kafka/client';
import { KafkaError } from '../../../../core/kafka/errors';

/**
 * TLS as the client sets it up, against a local TLS server with a certificate from a private CA:
 * verification is on unless explicitly disabled, and a configured CA is used. (The server speaks
 * no Kafka, so a successful handshake then fails at the protocol; what counts is the handshake.)
 */
describe('Kafka client TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'smarts-tls-'));
  let server: Server;
  let port = 0;
  let handshakes = 0;
  let haveOpenssl = true;

  before(async () => {
    try {
      const openssl = (...args: string[]): void => {
        execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
      };
      openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=smarts-test-ca');
      openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
      execFileSync('bash', ['-c', 'printf "subjectAltName=IP:127.0.0.1\\n" > ext.cnf'], { cwd: dir });
      openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '1', '-extfile', 'ext.cnf');
    } catch {
      haveOpenssl = false;
      return;
    }
    server = createServer({ key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) }, (socket) => {
      handshakes += 1;
      socket.destroy();
    });
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    port = (server.address() as { port: number }).port;
  });
  after(() => {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function attempt(tls: { ca?: string; verify?: boolean }): Promise<unknown> {
    const client = createKafkaClient({ brokers: [`127.0.0.1:${port}`], tls, connectionTimeoutMs: 2000 }, { retries: 0 });
    return client.checkConnection().then(
      () => undefined,
      (error: unknown) => error,
    );
  }

  it('verifies by default: an unknown CA is refused as a TLS configuration error, not retried', async (t) => {
    if (!haveOpenssl) return t.skip('openssl is not available to make test certificates');
    const before = handshakes;
    const error = await attempt({});
    assert.ok(error instanceof KafkaError);
    assert.equal(error.kind, 'config');
    assert.equal(error.retriable, false);
    assert.match(error.message, /^TLS: .*(certificate|self-signed)/);
    assert.equal(handshakes, before);
  });

  it('a configured CA (path to a PEM file) makes the handshake succeed', async (t) => {
    if (!haveOpenssl) return t.skip('openssl is not available to make test certificates');
    const before = handshakes;
    await attempt({ ca: join(dir, 'ca.pem') });
    assert.ok(handshakes > before);
  });

  it('verification off only by explicit opt-out', async (t) => {
    if (!haveOpenssl) return t.skip('openssl is not available to make test certificates');
    const before = handshakes;
    await attempt({ verify: false });
    assert.ok(handshakes > before);
  });

  describe('verifyTls, before kafkajs connects', () => {
    const verify = (brokers: string[], tls: { ca?: string; verify?: boolean }) =>
      createKafkaClient({ brokers, tls, connectionTimeoutMs: 2000 }, { retries: 0 }).verifyTls().then(
        () => undefined,
        (error: unknown) => error,
      );

    it('refuses a host name the certificate does not name, at once and not retriable', async (t) => {
      if (!haveOpenssl) return t.skip('openssl is not available to make test certificates');
      const error = await verify([`localhost:${port}`], { ca: join(dir, 'ca.pem') });
      assert.ok(error instanceof KafkaError);
      assert.equal(error.retriable, false);
      assert.match(error.message, new RegExp(`^TLS: localhost:${port}: .*(altnames|does not match)`, 'i'));
    });

    it('refuses a certificate from a CA it does not trust', async (t) => {
      if (!haveOpenssl) return t.skip('openssl is not available to make test certificates');
      const error = await verify([`127.0.0.1:${port}`], {});
      assert.ok(error instanceof KafkaError);
      assert.equal(error.kind, 'config');
      assert.match(error.message, /^TLS: .*(certificate|self-signed)/);
    });

    it('passes a verified handshake, and leaves an unreachable broker to the retries', async (t) => {
      if (!haveOpenssl) return t.skip('openssl is not available to make test certificates');
      const before = handshakes;
      assert.equal(await verify([`127.0.0.1:${port}`], { ca: join(dir, 'ca.pem') }), undefined);
      for (let wait = 0; handshakes === before && wait < 50; wait += 1) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.ok(handshakes > before, 'the server saw the handshake');
      assert.equal(await verify(['127.0.0.1:1'], {}), undefined);
    });

    it('goes on to the next bootstrap broker when the first cannot be reached', async (t) => {
      if (!haveOpenssl) return t.skip('openssl is not available to make test certificates');
      const error = await verify(['127.0.0.1:1', `localhost:${port}`], { ca: join(dir, 'ca.pem') });
      assert.ok(error instanceof KafkaError && /^TLS: localhost/.test(error.message));
    });
  });
});
