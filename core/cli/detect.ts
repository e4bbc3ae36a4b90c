import type { Reading } from '../reading';
import { CliUsageError, type CliCommand } from './command';
import { inputLines, noDataError, openInput } from './input';
import { openOutput } from './output';
import { cliSensitivity, parseCliOptions, positiveNumber, seriesKind } from './options';
import { defaultModelName, shippedModelsDir } from '../anomaly/scoring/mapping';

const usage = `Usage: stream-smarts detect --input FILE.csv --output OUT.csv [--model DIR] [options]

Strictly streaming: reads timestamp,value rows in order, scores each one with only what came
before it, learns online (its own model after --learn-days, retrained every --retrain-days of
data time) and writes every row as timestamp,value,anomaly_score,score.

  --input FILE.csv     rows timestamp,value (a header line is allowed); '-' for stdin
  --output OUT.csv     where to write; '-' for stdout
  --model DIR          start from this model (a trained series model, or the default model);
                       energy and power series start from the package's models/default otherwise
  --kind KIND          other (default: any numeric series, alerts both ways), energy, power, water, gas
  --unit UNIT          unit of the values for energy/power/water/gas (default Wh / W / L / m³)
  --learn-days N       history before the series gets its own model (default 14)
  --retrain-days N     retrain interval in data time (default 7)
  --sensitivity S      high, normal (default) or low: how readily a learnt model alerts

Messy time never stops a run; every input row gives one output row, in input order:
  out of order, or a clock set back (e.g. an hour)  a row not newer than the newest so far is
                       scored against what is known (its hour's profile) but not learnt from
  duplicate timestamp  the same: scored, never counted twice in training
  gap, irregular spacing  scored as usual; the sampling interval is a running estimate
  daylight saving      the hour of day is local time; a repeated or skipped local hour is fine
The summary on stderr counts the late rows.`;

export const command: CliCommand = {
  name: 'detect',
  summary: 'stream a CSV series through online anomaly detection (never looks ahead)',
  usage,
  async run(args, io) {
    const values = parseCliOptions(args, {
      input: { type: 'string' },
      output: { type: 'string' },
      model: { type: 'string' },
      kind: { type: 'string' },
      unit: { type: 'string' },
      'learn-days': { type: 'string' },
      'retrain-days': { type: 'string' },
      sensitivity: { type: 'string' },
    });
    if (!values.input) throw new CliUsageError('--input FILE.csv is required');
    if (!values.output) throw new CliUsageError('--output OUT.csv is required');
    const kind = seriesKind(values.kind, 'other');
    const learnDays = positiveNumber(values['learn-days'], 'learn-days') ?? 14;
    const retrainDays = positiveNumber(values['retrain-days'], 'retrain-days') ?? 7;
    const sensitivity = cliSensitivity(values.sensitivity);

    const { SeriesDetector } = await import('../anomaly/scoring/series-detector');
    const { parseTimestamp, splitCsvLine } = await import('../anomaly/series-file');
    const { loadModelDir, ModelDirError } = await import('../anomaly/model/model-dir');
    const { canonicalUnits, unitFactor, UnitError, hourOfDay, dayMs } = await import('../units');
    const unit = values.unit ?? canonicalUnits[kind];
    try {
      unitFactor(kind, unit);
    } catch (error) {
      if (error instanceof UnitError) throw new CliUsageError(error.message);
      throw error;
    }

    let initial = null;
    let defaultModel = null;
    let modelId: string | undefined;
    const { join } = await import('node:path');
    const { existsSync } = await import('node:fs');
    const shippedDefault = join(shippedModelsDir, defaultModelName);
    const { resolveModelArg } = await import('./model-arg');
    const modelPath = values.model !== undefined ? resolveModelArg(values.model) : ((kind === 'energy' || kind === 'power') && existsSync(join(shippedDefault, 'metadata.json')) ? shippedDefault : undefined);
    if (modelPath) {
      try {
        const loaded = await loadModelDir(modelPath, { kind });
        if (loaded.model.type === 'home') initial = loaded.model;
        else if (loaded.model.type === 'default') defaultModel = loaded.model;
        else throw new ModelDirError(`${modelPath}: a ${loaded.model.type} model cannot run online detection`);
        modelId = loaded.model.type === 'default' ? 'default (cold start)' : `${loaded.model.type}@${loaded.metadata.version}`;
      } catch (error) {
        if (error instanceof ModelDirError) throw new CliUsageError(error.message, 1);
        throw error;
      }
    }
    const detector = new SeriesDetector({
      entityId: values.input,
      learnDays,
      retrainEveryMs: retrainDays * dayMs,
      sensitivity,
      defaultModel,
      model: initial,
      ...(modelId ? { modelId } : {}),
      fit: { readingKind: kind, twoSided: kind === 'other' },
    });

    const input = await openInput(values.input, io);
    const output = await openOutput(values.output, io);
    const write = (line: string) => output.write(line);
    let lineNo = 0;
    let newest = -Infinity;
    let rows = 0;
    let anomalies = 0;
    const fail = async (message: string): Promise<never> => {
      throw new CliUsageError(`${values.input}: line ${lineNo}: ${message}`, 1);
    };
    try {
      await write('timestamp,value,anomaly_score,score\n');
      for await (const { lineNo: number, text: line } of inputLines(input)) {
        lineNo = number;
        if (line.trim() === '') continue;
        const cells = splitCsvLine(line);
        const [timeText, valueText] = cells;
        if (lineNo === 1 && (valueText === undefined || !Number.isFinite(Number(valueText)))) {
          if (cells.length >= 2) continue; // header
        }
        if (timeText === undefined || valueText === undefined) await fail('expected timestamp,value');
        let ts: number;
        try {
          ts = parseTimestamp(timeText as string);
        } catch (error) {
          return fail((error as Error).message);
        }
        const value = valueText === '' ? Number.NaN : Number(valueText);
        if (!Number.isFinite(value)) await fail(`value '${valueText}' is not a number`);
        newest = Math.max(newest, ts);
        if (detector.needsTraining(newest)) await detector.retrain(newest);
        const reading: Reading = { entity_id: values.input, ts, value, unit, kind, hour: hourOfDay(ts) };
        const scored = detector.score(reading);
        rows += 1;
        if (scored.anomaly) anomalies += 1;
        await write(`${timeText},${valueText},${scored.anomaly_score.toFixed(6)},${scored.score.toFixed(6)}\n`);
      }
      if (rows === 0) throw noDataError(input);
      await output.commit();
    } finally {
      await output.discard();
    }
    const status = detector.status();
    io.stderr.write(`detect: ${rows} rows, ${anomalies} with score > 1, ${status.late} late (not newer than the newest before them), model ${status.modelId}\n`);
    return 0;
  },
};
