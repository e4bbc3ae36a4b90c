import type { CliCommand } from './command';

/**
 * Every `stream-smarts` command, loaded lazily so `--help` stays fast and a command's heavy
 * dependencies (tfjs, kafkajs) load only when it runs. Add a command by adding one entry.
 */
export interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<CliCommand>;
}

export const commandEntries: CommandEntry[] = [
  { name: 'load', summary: 'produce JSON-line readings from stdin to Kafka (Avro or JSON)', load: async () => (await import('./load')).command },
  { name: 'train', summary: 'train a series anomaly model from history (CSV or JSON lines)', load: async () => (await import('./train')).command },
  { name: 'detect', summary: 'stream a CSV series through online anomaly detection', load: async () => (await import('./detect')).command },
  { name: 'score', summary: 'score JSON-lines readings from stdin with a fixed model', load: async () => (await import('./score')).command },
  { name: 'worker', summary: 'score a Kafka topic in a consumer group (the headless scoring engine)', load: async () => (await import('./worker')).command },
];
