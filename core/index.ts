/**
 * The public API of node-red-contrib-stream-smarts for JavaScript and TypeScript users: the
 * reading contract and its units, the codecs, the anomaly models, the Home Assistant client,
 * the Kafka stream pipeline and the scoring worker. The Node-RED nodes and the CLI use the same.
 */

// the reading contract, its units and kinds, errors and retry
export { readingKinds, parseReading, seedEntityId, ReadingError, type Reading, type ReadingKind, type ScoredReading, type SeedRecord, type ReadingParseOptions } from './reading';
export * from './units';
export { feedbackKinds, parseFeedback, FeedbackError, type Feedback, type FeedbackKind } from './feedback';
export { StreamSmartsError, isRetriable, errorMessage, asError } from './errors';
export { retry, backoffDelay, sleep, type RetryOptions, type BackoffOptions } from './retry';

// codecs: Avro (Confluent wire format with a registry, or single-object) and JSON
export { ValueCodec, valueFormats, decodeFormats, type ValueFormat, type DecodeFormat, type DecodedValue, type ValueCodecOptions, type WireEncoding } from './avro/codec';
export { RegistryClient, subjectFor, type RegistryOptions } from './avro/registry';
export { readingSchema, seedSchema, type KnownSchema } from './avro/schemas';
export { ValueFormatError, RegistryError } from './avro/errors';

// anomaly models: per-series scoring, training, model folders, sensitivity
export { AnomalyService, type AnomalyServiceOptions, type ServiceStatus } from './anomaly/scoring/service';
export { parseMapping, formatMapping, defaultSeriesModels, shippedModelsDir, defaultModelName, seedModelName } from './anomaly/scoring/mapping';
export { SeriesDetector, type SeriesDetectorOptions, type SeriesStatus } from './anomaly/scoring/series-detector';
export { scoreToProbability } from './anomaly/model/score';
export { loadModelDir, saveModelDir, ModelDirError, type LoadedModel, type ModelMetadata, type StoredModel } from './anomaly/model/model-dir';
export { sensitivities, defaultSensitivity, parseSensitivity, SensitivityError, type Sensitivity } from './anomaly/scoring/sensitivity';
export { trainSeries, type SeriesTrainOptions, type SeriesTrainResult } from './anomaly/training/train-series';

// Home Assistant: client, meter, notifier
export * from './ha';

// Kafka: client, producer, consumer group, the stream pipeline and the scoring worker
export { createKafkaClient, type KafkaClient, type KafkaClientOptions } from './kafka/client';
export { parseBrokerList, type BrokerConfig, type SaslConfig, type TlsConfig, type SaslMechanism } from './kafka/config';
export { KafkaError, toKafkaError, type KafkaErrorKind } from './kafka/errors';
export { BufferedProducer, type BufferedProducerOptions } from './kafka/buffered-producer';
export { GroupConsumer, type GroupConsumerOptions, type ConsumerEvent } from './kafka/consumer';
export type { ConsumedMessage, ProduceRecord, Delivery } from './kafka/types';
export { StreamPipeline, type StreamPipelineOptions, type StreamCounters, type DecodedMessage } from './stream/pipeline';
export { deadLetterRecord, type DeadLetterSink } from './stream/dead-letters';
export { startWorker, type WorkerConfig, type WorkerHooks, type RunningWorker, type WorkerMetrics } from './worker/worker';
export { createModelScorer, type ModelScorerOptions } from './worker/model-scorer';
export type { ReadingScorer } from './worker/scorer';
