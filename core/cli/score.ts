import { parseArgs } from 'node:util';
import { StreamSmartsError } from '../errors';
import { parseReading, ReadingError } from '../reading';
import { CliUsageError, type CliCommand } from './command';
import { inputLines, noDataError, stdinInput } from './input';
import { cliSensitivity } from './options';

const usage = `Usage: stream-smarts score --model DIR < readings.jsonl > scored.jsonl

Scores JSON lines of readings (or hour records {"hour": h, "mwh": v}) with a fixed model
(no learning) and writes one scored reading per line. A bad line is reported on stderr
with its line number and the exit code is 1; the other lines are still scored. A reading
of a kind the model is not for (a water reading with an energy model) stops the run, exit 1.

  --model DIR        a model directory (one you trained), or a shipped model by name:
                     seed-hour-profile or default
  --sensitivity S    high, normal (default) or low: how readily a trained series model alerts
                     (seed-hour-profile's table and the default model's extremes are fixed rules)`;

export const command: CliCommand = {
  name: 'score',
  summary: 'score JSON-lines readings from stdin with a fixed model',
  usage,
  async run(args, io) {
    let values;
    try {
      ({ values } = parseArgs({ args, options: { model: { type: 'string' }, sensitivity: { type: 'string' } } }));
    } catch (error) {
      throw new CliUsageError((error as Error).message);
    }
    if (!values.model) throw new CliUsageError('--model DIR is required');
    const sensitivity = cliSensitivity(values.sensitivity);
    const { loadModelDir, ModelDirError, ModelKindError } = await import('../anomaly/model/model-dir');
    const { FixedScorer } = await import('../anomaly/scoring/fixed-scorer');
    const { UnitError } = await import('../units');
    let scorer;
    let modelDir;
    try {
      const { resolveModelArg } = await import('./model-arg');
      const loaded = await loadModelDir(resolveModelArg(values.model));
      modelDir = loaded.dir;
      scorer = new FixedScorer(loaded.model, `${loaded.model.type}@${loaded.metadata.version}`, sensitivity);
    } catch (error) {
      if (error instanceof ModelDirError) throw new CliUsageError(error.message, 1);
      throw error;
    }
    let bad = 0;
    let readings = 0;
    for await (const { lineNo, text: line } of inputLines(stdinInput(io))) {
      if (line.trim() === '') continue;
      readings += 1;
      try {
        const reading = parseReading(JSON.parse(line));
        io.stdout.write(`${JSON.stringify(scorer.score(reading))}\n`);
      } catch (error) {
        if (error instanceof ModelKindError) throw new CliUsageError(`line ${lineNo}: ${error.message} (${modelDir})`, 1);
        if (!(error instanceof SyntaxError || error instanceof ReadingError || error instanceof UnitError || error instanceof ModelDirError)) throw error;
        bad += 1;
        io.stderr.write(`stream-smarts score: line ${lineNo}: ${error instanceof StreamSmartsError ? error.message : 'not valid JSON'}\n`);
      }
    }
    if (readings === 0) throw noDataError(stdinInput(io), 'readings');
    return bad > 0 ? 1 : 0;
  },
};
