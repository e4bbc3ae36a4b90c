import { strict as assert } from 'node:assert';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { main } from '../../../../core/cli/main';
import { parseWorkerOptions } from '../../../../core/cli/worker';

async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => (out += String(chunk)));
  stderr.on('data', (chunk) => (err += String(chunk)));
  const code = await main(args, { stdin: new PassThrough(), stdout, stderr });
  return { code, stdout: out, stderr: err };
}

describe('stream-smarts worker options', () => {
  it('has defaults: group from the input topic, the seed series on the seed model, no metrics', () => {
    const options = parseWorkerOptions(['--brokers', '127.0.0.1:9092', '--in', 'raw_mwh', '--out', 'scored_power']);
    assert.equal(options.groupId, 'stream-smarts-worker-raw_mwh');
    assert.deepEqual(options.seriesModels, { 'seed.power': 'seed-hour-profile' });
    assert.equal(options.metricsIntervalMs, undefined);
    assert.equal(options.anomaliesTopic, undefined);
    assert.equal(options.defaultModel, 'default');
    assert.match(options.modelDir, /models$/);
    assert.equal(options.saveModels, false);
  });

  it('takes metrics, series models and the anomalies topic', () => {
    const options = parseWorkerOptions(['--brokers', 'a:1,b:2', '--in', 'i', '--out', 'o', '--anomalies', 'anomaly_power', '--metrics', '--series-model', 'sensor.x=x-model', '--group', 'g']);
    assert.deepEqual(options.brokers, ['a:1', 'b:2']);
    assert.equal(options.metricsIntervalMs, 10_000);
    assert.deepEqual(options.seriesModels, { 'sensor.x': 'x-model' });
    assert.equal(options.groupId, 'g');
    assert.equal(options.deadLettersTopic, undefined);
  });

  it('takes a dead-letter topic, which must not be the input', async () => {
    assert.equal(parseWorkerOptions(['--brokers', 'a:1', '--in', 'i', '--out', 'o', '--dead-letters', 'i-dlq']).deadLettersTopic, 'i-dlq');
    const result = await runCli(['worker', '--brokers', 'h:1', '--in', 'a', '--out', 'b', '--dead-letters', 'a']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--dead-letters must differ from --in/);
  });

  it('refuses bad input with a clear message and exit code 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--in', 'a', '--out', 'b'], /--brokers is required/],
      [['--brokers', 'nohost', '--in', 'a', '--out', 'b'], /--brokers: 'nohost' is not host:port/],
      [['--brokers', 'h:1', '--out', 'b'], /--in TOPIC is required/],
      [['--brokers', 'h:1', '--in', 'a b', '--out', 'b'], /--in 'a b' is not a valid Kafka topic name/],
      [['--brokers', 'h:1', '--in', 'a', '--out', 'a'], /must differ from --in/],
      [['--brokers', 'h:1', '--in', 'a', '--out', 'b', '--series-model', 'x'], /SERIES=FOLDER/],
      [['--brokers', 'h:1', '--in', 'a', '--out', 'b', '--metrics-interval', '0'], /positive number of seconds/],
      [['--brokers', 'h:1', '--in', 'a', '--out', 'b', '--bogus'], /Unknown option '--bogus'/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(['worker', ...args]);
      assert.equal(result.code, 2, args.join(' '));
      assert.match(result.stderr, message);
      assert.match(result.stderr, /^stream-smarts worker: /);
    }
  });

  it('is listed with its help', async () => {
    const help = await runCli(['worker', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--anomalies/);
    assert.match(help.stdout, /--dead-letters +topic for messages that cannot be decoded or scored/);
    assert.match(help.stdout, /x-error, x-source-topic, x-source-partition, x-source-offset/);
    assert.match((await runCli(['--help'])).stdout, /worker +score a Kafka topic in a consumer group/);
  });
});
