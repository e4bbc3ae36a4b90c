import { commandEntries } from './commands';
import { CliUsageError, type CliIo } from './command';

const defaultIo: CliIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };

function overview(): string {
  const width = Math.max(...commandEntries.map((entry) => entry.name.length), 8);
  const lines = commandEntries.map((entry) => `  ${entry.name.padEnd(width)}  ${entry.summary}`);
  return [
    'Usage: stream-smarts <command> [options]',
    '',
    'Home energy anomaly detection: load readings into Kafka, train and run anomaly models.',
    '',
    'Commands:',
    ...(lines.length > 0 ? lines : ['  (none in this build)']),
    '',
    'Run `stream-smarts <command> --help` for a command\'s options.',
    '',
  ].join('\n');
}

export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(overview());
    return name === undefined ? 2 : 0;
  }
  const entry = commandEntries.find((candidate) => candidate.name === name);
  if (!entry) {
    io.stderr.write(`stream-smarts: unknown command '${name}'. Commands: ${commandEntries.map((e) => e.name).join(', ') || 'none'}.\n`);
    return 2;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof CliUsageError) {
      io.stderr.write(`stream-smarts ${name}: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
}
