import { isIP } from 'node:net';
import { connect, type ConnectionOptions } from 'node:tls';
import { KafkaError } from './errors';

/** Node's codes for a certificate the client refuses: retrying cannot make it acceptable. */
const certificateCodes = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME|HOSTNAME|DEPTH_ZERO/;

type Answer = 'verified' | 'unreachable' | KafkaError;

function handshake(broker: string, options: ConnectionOptions, timeoutMs: number): Promise<Answer> {
  const colon = broker.lastIndexOf(':');
  const host = broker.slice(0, colon).replace(/^\[|\]$/g, '');
  const port = Number(broker.slice(colon + 1));
  return new Promise((resolve) => {
    const socket = connect({ ...options, host, port, ...(isIP(host) ? {} : { servername: host }) });
    const finish = (answer: Answer) => {
      clearTimeout(timer);
      // A verified session is closed politely (the broker sees a client that left), others at once.
      if (answer === 'verified') socket.end();
      else socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => finish('unreachable'), timeoutMs);
    socket.once('secureConnect', () => finish('verified'));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const refused = certificateCodes.test(error.code ?? '') || /certificate/i.test(error.message);
      finish(refused ? new KafkaError(`TLS: ${broker}: ${error.message}`, 'config', false, { cause: error }) : 'unreachable');
    });
  });
}

/**
 * One TLS handshake with the bootstrap brokers, in order, with the client's own options: a
 * certificate the client refuses fails at once with a non-retriable error, where kafkajs would
 * retry the connection for half a minute before saying so. A broker that cannot be reached is
 * left to kafkajs's own retries; the first verified handshake ends the probe.
 */
export async function probeTls(brokers: readonly string[], options: ConnectionOptions, timeoutMs: number): Promise<void> {
  for (const broker of brokers) {
    const answer = await handshake(broker, options, timeoutMs);
    if (answer instanceof KafkaError) throw answer;
    if (answer === 'verified') return;
  }
}
