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
];
