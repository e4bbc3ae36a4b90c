import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CliUsageError, type CliCommand, type CliIo } from './command';
import { noDataError, openInput, readInputText } from './input';
import { parseCliOptions, positiveNumber, seriesKind } from './options';

const usage = `Usage: stream-smarts train --input FILE --model DIR [options]

Trains the anomaly model of one series from its history and writes it to DIR
(tfjs model.json + weights.bin, params.json, metadata.json) with report.html beside it.

  --input FILE       CSV timestamp,value (header optional) or JSON lines {ts|timestamp, value};
                     the data sets of test/data/homes are recognised as published
  --model DIR        model directory to write (replaced atomically)
  --time-col NAME    CSV column with the time (default: first, or the data set's)
  --value-col NAME   CSV column with the value (default: second, or the data set's)
  --kind KIND        energy (default), power, water, gas, other
  --unit UNIT        unit of the values (default: kWh for the known data sets, else Wh for energy)
  --interval S       sampling interval in seconds (default: inferred)
  --profile-days N   days of recent history for the profile and thresholds (default 56)
  --epochs N         autoencoder epochs (default 15)
  --report FILE      HTML report (default DIR/report.html)
  --default          build the shipped default model instead: --input is a directory of the
                     real homes' files (test/data/homes); writes DIR and DIR/training-report.md

Messy time is not an error: rows out of order (a clock set back, a replay) are sorted into time
order, and of rows with the same timestamp only the last is kept; the summary says how many
were sorted and dropped. Gaps and irregular spacing are trained on as they are (the interval is
the median step); the hour of day is local time, so a repeated or skipped daylight-saving hour
is fine.`;

function progressBar(io: CliIo): (fraction: number, stage: string) => void {
  let last = -1;
  return (fraction, stage) => {
    const percent = Math.round(fraction * 100);
    if (percent === last) return;
    last = percent;
    const filled = Math.round(fraction * 30);
    io.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(30 - filled)}] ${String(percent).padStart(3)}% ${stage.padEnd(12)}`);
    if (fraction >= 1) io.stderr.write('\n');
  };
}

export const command: CliCommand = {
  name: 'train',
  summary: 'train a series anomaly model from history (CSV or JSON lines)',
  usage,
  async run(args, io) {
    const values = parseCliOptions(args, {
      input: { type: 'string' },
      model: { type: 'string' },
      'time-col': { type: 'string' },
      'value-col': { type: 'string' },
      kind: { type: 'string' },
      unit: { type: 'string' },
      interval: { type: 'string' },
      'profile-days': { type: 'string' },
      epochs: { type: 'string' },
      report: { type: 'string' },
      default: { type: 'boolean' },
    });
    if (!values.input) throw new CliUsageError('--input FILE is required');
    if (!values.model) throw new CliUsageError('--model DIR is required');
    const kind = seriesKind(values.kind, 'energy');
    const interval = positiveNumber(values.interval, 'interval');
    const profileDays = positiveNumber(values['profile-days'], 'profile-days');
    const epochs = positiveNumber(values.epochs, 'epochs');

    if (values.default) return trainDefault(values.input, values.model, io, epochs);
    const { parseSeriesText, SeriesFileError } = await import('../anomaly/series-file');
    const { trainSeries } = await import('../anomaly/training/train-series');
    const { saveModelDir } = await import('../anomaly/model/model-dir');
    const { htmlReport } = await import('../anomaly/training/report');
    const { UnitError } = await import('../units');

    const input = await openInput(values.input, io);
    const text = await readInputText(input);
    const lines = text.split('\n').filter((line) => line.trim() !== '').length;
    if (lines === 0) throw noDataError(input);
    let parsed;
    try {
      parsed = parseSeriesText(text, { timeCol: values['time-col'], valueCol: values['value-col'] });
    } catch (error) {
      if (error instanceof SeriesFileError && lines === 1 && !text.trimStart().startsWith('{')) throw noDataError(input);
      if (error instanceof SeriesFileError) throw new CliUsageError(`${values.input}: ${error.message}`, 1);
      throw error;
    }
    if (parsed.rows.length === 0) throw noDataError(input);
    if (parsed.rows.length < 48) throw new CliUsageError(`${values.input}: ${parsed.rows.length} rows; need at least 48 to train`, 1);
    const unit = values.unit ?? parsed.unit ?? (kind === 'energy' ? 'Wh' : kind === 'power' ? 'W' : '');
    const intervalS = interval ?? parsed.intervalS;
    let result;
    try {
      result = await trainSeries(parsed.rows, {
        kind,
        unit,
        intervalS,
        fit: { ...(profileDays ? { profileDays } : {}), ...(epochs ? { epochs: Math.round(epochs) } : {}) },
        logger: { info: (message) => io.stderr.write(`${message}\n`) },
        onProgress: progressBar(io),
      });
    } catch (error) {
      if (error instanceof UnitError) throw new CliUsageError(error.message, 1);
      throw error;
    }
    const { params, report } = result;
    const summary = {
      series: values.input,
      points: report.points,
      window: `${new Date(report.from).toISOString()} .. ${new Date(report.to).toISOString()}`,
      'autoencoder loss': report.loss === null ? 'n/a' : report.loss.toFixed(5),
      backend: report.backend ?? 'none',
      thresholds: Object.entries(params.thresholds).map(([name, value]) => `${name} ${value.toFixed(2)}`).join(', '),
      'share of training points above threshold': `${(100 * result.shareAboveThreshold).toFixed(2)}%`,
      'out of order (sorted)': report.outOfOrder,
      'duplicate timestamps dropped (last value kept)': report.duplicatesDropped,
      unit: `${unit} (model in ${params.unit})`,
      'interval s': intervalS,
    };
    await mkdir(values.model, { recursive: true });
    await saveModelDir(values.model, params, { from: report.from, to: report.to, points: report.points, backend: report.backend, report: summary });
    const reportPath = values.report ?? join(values.model, 'report.html');
    await writeFile(reportPath, htmlReport(`Anomaly model: ${values.input}`, summary, result.points));
    for (const [key, value] of Object.entries(summary)) io.stdout.write(`${key}: ${value}\n`);
    io.stdout.write(`model: ${values.model}\nreport: ${reportPath}\n`);
    return 0;
  },
};

async function trainDefault(inputDir: string, modelDir: string, io: CliIo, epochs: number | undefined): Promise<number> {
  const { readdir } = await import('node:fs/promises');
  const { parseSeriesCsv } = await import('../anomaly/series-file');
  const { trainDefaultModel } = await import('../anomaly/training/train-default');
  const { saveModelDir } = await import('../anomaly/model/model-dir');
  let names: string[];
  try {
    names = (await readdir(inputDir)).filter((name) => name.endsWith('.csv')).sort();
  } catch (error) {
    throw new CliUsageError(`--default needs --input to be a directory of series files: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 1);
  }
  if (names.length === 0) throw new CliUsageError(`${inputDir}: no .csv files`, 1);
  const homes = [];
  for (const name of names) {
    const parsed = parseSeriesCsv(await readFile(join(inputDir, name), 'utf8'));
    if (!parsed.unit) throw new CliUsageError(`${name}: not a recognised data set (need its unit)`, 1);
    homes.push({ name: name.replace(/\.csv$/, ''), rows: parsed.rows, intervalS: parsed.intervalS, unit: parsed.unit });
  }
  const { params, report } = await trainDefaultModel(homes, {
    ...(epochs ? { epochs: Math.round(epochs) } : {}),
    logger: { info: (message) => io.stderr.write(`${message}\n`) },
    onProgress: progressBar(io),
  });
  await saveModelDir(modelDir, params, { points: report.homes.reduce((sum, home) => sum + home.points, 0), backend: report.backend, report: { ...report } });
  const lines = [
    '# Default model: training report',
    '',
    `Trained by \`stream-smarts train --default --input ${inputDir} --model ${modelDir}\` on ${new Date().toISOString().slice(0, 10)} (tfjs backend ${report.backend}).`,
    '',
    '| home | points | median W | max W |',
    '|---|---|---|---|',
    ...report.homes.map((home) => `| ${home.name} | ${home.points} | ${home.medianRateW.toFixed(0)} | ${home.maxRateW.toFixed(0)} |`),
    '',
    `Autoencoder: ${report.windows} pooled residual windows (24 intervals + time of day/week), 27-16-4-16-24 dense, final loss ${report.loss.toFixed(4)}.`,
    `Typical rate over the homes (W, hour 0..23, median of each home's median): ${(params.typicalRate ?? []).map((v) => v.toFixed(0)).join(', ')}.`,
    `Cold-start extremes (W, hour 0..23, = ${report.extremeMargin} x the highest rate any home reached at that hour): ${params.extremeRate.map((v) => v.toFixed(0)).join(', ')}.`,
    '',
  ];
  await writeFile(join(modelDir, 'training-report.md'), lines.join('\n'));
  io.stdout.write(`${lines.join('\n')}\nmodel: ${modelDir}\n`);
  return 0;
}
