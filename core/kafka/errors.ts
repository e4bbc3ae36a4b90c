import { StreamSmartsError } from '../errors';

/** What went wrong, in terms a caller can act on. */
export type KafkaErrorKind = 'config' | 'auth' | 'connection' | 'broker' | 'buffer-full' | 'closed';

/** A Kafka failure; `retriable` says whether the same operation may succeed later. */
export class KafkaError extends StreamSmartsError {
  constructor(
    message: string,
    readonly kind: KafkaErrorKind,
    retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, { retriable, cause: options?.cause });
  }
}

interface KafkaJsLikeError {
  name?: string;
  message?: string;
  retriable?: boolean;
  type?: string;
  originalError?: unknown;
  cause?: unknown;
}

const authErrorTypes = new Set(['SASL_AUTHENTICATION_FAILED', 'TOPIC_AUTHORIZATION_FAILED', 'GROUP_AUTHORIZATION_FAILED', 'CLUSTER_AUTHORIZATION_FAILED', 'ILLEGAL_SASL_STATE', 'UNSUPPORTED_SASL_MECHANISM']);

/** Classifies anything kafkajs (or the network below it) throws. */
export function toKafkaError(error: unknown): KafkaError {
  if (error instanceof KafkaError) return error;
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as KafkaJsLikeError;
  const name = e.name ?? 'Error';
  const message = e.message ?? String(error);
  if (name === 'KafkaJSNumberOfRetriesExceeded' || name === 'KafkaJSNonRetriableError') {
    const inner = e.originalError ?? e.cause;
    if (inner) {
      const classified = toKafkaError(inner);
      return new KafkaError(classified.message, classified.kind, classified.retriable, { cause: error });
    }
  }
  if (name === 'KafkaJSSASLAuthenticationError' || (e.type !== undefined && authErrorTypes.has(e.type))) {
    return new KafkaError(`authentication refused: ${message}`, 'auth', false, { cause: error });
  }
  if (/certificate|self[- ]signed|unable to verify|SSL routines|wrong version number|handshake/i.test(message)) {
    return new KafkaError(`TLS: ${message}`, 'config', false, { cause: error });
  }
  if (name === 'KafkaJSConnectionError' || name === 'KafkaJSRequestTimeoutError' || name === 'KafkaJSBrokerNotFound' || name === 'KafkaJSConnectionClosedError' || name === 'KafkaJSLockTimeout') {
    return new KafkaError(message, 'connection', true, { cause: error });
  }
  if (name === 'KafkaJSProtocolError' || name === 'KafkaJSMetadataNotLoaded' || name === 'KafkaJSTopicMetadataNotLoaded') {
    return new KafkaError(message, 'broker', e.retriable !== false, { cause: error });
  }
  if (name === 'KafkaJSInvalidTopic' || name === 'KafkaJSInvalidArgument') {
    return new KafkaError(message, 'config', false, { cause: error });
  }
  if (/ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|socket hang up/.test(message)) {
    return new KafkaError(message, 'connection', true, { cause: error });
  }
  return new KafkaError(message, 'broker', e.retriable ?? true, { cause: error });
}
