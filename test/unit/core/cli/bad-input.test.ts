import { strict as assert } from 'node:assert';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { main } from '../../../../core/cli/main';
import type { CliIo } from '../../../../core/cli/command';
import { modelsDir } from '../anomaly/fixtures';

interface Result {
  code: number;
  out: string;
  err: string;
}

async function run(args: string[], stdin: string | Buffer = ''): Promise<Result> {
  const io: CliIo = { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() };
  let out = '';
  let err = '';
  io.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  io.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  (io.stdin as PassThrough).end(stdin);
  const code = await main(args, io);
  return { code, out, err };
}

/** One clear line on stderr: no stack trace, nothing else. */
function assertOneLine(result: Result, pattern: RegExp): void {
  const lines = result.err.trim().split('\n');
  assert.equal(lines.length, 1, result.err);
  assert.match(lines[0] ?? '', pattern);
  assert.doesNotMatch(result.err, /\n\s+at /);
}

const hourRows = (count: number) => Array.from({ length: count }, (_, i) => `2026-01-05 ${String(i % 24).padStart(2, '0')}:00:00,${(1 + (i % 5) / 10).toFixed(2)}`).map((row, i) => row.replace('2026-01-05', `2026-01-${String(5 + Math.floor(i / 24)).padStart(2, '0')}`));

describe('stream-smarts CLI: bad input', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'smarts-bad-input-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  const detect = (input: string, output = join(dir, 'out.csv')) => run(['detect', '--input', input, '--output', output]);

  it('detect: an empty or header-only input is one line on stderr and exit code 2, and no output file', async () => {
    for (const [name, text] of [['empty.csv', ''], ['blank.csv', '\n\n'], ['header.csv', 'timestamp,value\n']] as const) {
      const input = join(dir, name);
      await writeFile(input, text);
      const output = join(dir, `${name}.out`);
      const result = await detect(input, output);
      assert.equal(result.code, 2, name);
      assertOneLine(result, new RegExp(`detect: .*${name}: no data rows \\(the input is empty or only a header\\)`));
      await assert.rejects(readFile(output), /ENOENT/);
    }
  });

  it('detect: a missing file, a directory and binary bytes are one line each, exit 1, never a stack trace', async () => {
    const folder = join(dir, 'folder');
    await mkdir(folder, { recursive: true });
    const binary = join(dir, 'binary.csv');
    await writeFile(binary, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]));
    const nul = join(dir, 'nul.csv');
    await writeFile(nul, Buffer.concat([Buffer.from('timestamp,value\n2026-01-05 00:00:00,1'), Buffer.from([0, 0, 0]), Buffer.from('\n')]));
    const latin1 = join(dir, 'latin1.csv');
    await writeFile(latin1, Buffer.from([0x74, 0x73, 0x2c, 0xe9, 0xff, 0x0a]));
    for (const [input, pattern] of [
      [join(dir, 'missing.csv'), /cannot read .*missing\.csv: no such file \(ENOENT\)$/],
      [folder, /cannot read .*folder: it is a directory, not a file$/],
      [binary, /binary\.csv: line 1: not UTF-8 text \(binary input\?\)$/],
      [nul, /nul\.csv: line 2: binary data \(a NUL byte\), not text$/],
      [latin1, /latin1\.csv: line 1: not UTF-8 text \(binary input\?\)$/],
    ] as const) {
      const result = await detect(input);
      assert.equal(result.code, 1, input);
      assertOneLine(result, pattern);
    }
  });

  it('detect: a line over the length limit is refused by number and length, never echoed, without a RangeError', async () => {
    const input = join(dir, 'long.csv');
    const long = 'x'.repeat(3 * 1024 * 1024);
    await writeFile(input, `timestamp,value\n2026-01-05 00:00:00,1\n${long}\n`);
    const result = await detect(input);
    assert.equal(result.code, 1);
    assertOneLine(result, /long\.csv: line 3 is 3145728 bytes long, over the limit of 1048576 bytes$/);
    assert.ok(result.err.length < 200, 'the line is not echoed');
  });

  it('detect: a failed run leaves no partial --output (an existing one is kept as it was) and no temporary file', async () => {
    const out = join(dir, 'partial', 'out.csv');
    await mkdir(join(dir, 'partial'), { recursive: true });
    await writeFile(out, 'previous result\n');
    const input = join(dir, 'bad-late.csv');
    await writeFile(input, `${hourRows(100).join('\n')}\n2026-02-01 00:00:00,not-a-number\n`);
    const result = await detect(input, out);
    assert.equal(result.code, 1);
    assertOneLine(result, /bad-late\.csv: line 101: value 'not-a-number' is not a number$/);
    assert.equal(await readFile(out, 'utf8'), 'previous result\n');
    assert.deepEqual(await readdir(join(dir, 'partial')), ['out.csv']);

    const good = join(dir, 'good.csv');
    await writeFile(good, `${hourRows(50).join('\n')}\n`);
    const ok = await detect(good, out);
    assert.equal(ok.code, 0, ok.err);
    assert.equal((await readFile(out, 'utf8')).trim().split('\n').length, 51);
    assert.deepEqual(await readdir(join(dir, 'partial')), ['out.csv']);
  });

  it('detect: --output in a missing directory or naming a directory is one line, exit 1', async () => {
    const input = join(dir, 'some.csv');
    await writeFile(input, `${hourRows(3).join('\n')}\n`);
    const missing = await detect(input, join(dir, 'no-such-dir', 'out.csv'));
    assert.equal(missing.code, 1);
    assertOneLine(missing, /cannot write .*no-such-dir\/out\.csv: no such directory \(ENOENT\)$/);
    const folder = await detect(input, dir);
    assert.equal(folder.code, 1);
    assertOneLine(folder, /cannot write .*: it is a directory$/);
  });

  it('score: empty stdin is exit 2; binary stdin and an over-long line are one line, exit 1', async () => {
    const model = ['score', '--model', join(modelsDir, 'seed-hour-profile')];
    const empty = await run(model, '');
    assert.equal(empty.code, 2);
    assertOneLine(empty, /score: stdin: no readings \(the input is empty\)$/);
    const binary = await run(model, Buffer.from([0x4f, 0x62, 0x6a, 0x01, 0x00, 0x02, 0xff, 0x0a]));
    assert.equal(binary.code, 1);
    assertOneLine(binary, /score: stdin: line 1: binary data \(a NUL byte\), not text$/);
    const long = await run(model, `{"hour": 4, "kwh": 1}\n{"hour": 5, "kwh": "${'9'.repeat(2 * 1024 * 1024)}"}\n`);
    assert.equal(long.code, 1);
    assertOneLine(long, /score: stdin: line 2 is \d+ bytes long, over the limit of 1048576 bytes$/);
  });

  it('score and detect: a model for another kind of reading is one line, exit 1 (docs/bad-input.md #34)', async () => {
    const waterLines = [0, 1, 2].map((n) => JSON.stringify({ entity_id: 'sensor.water', ts: Date.UTC(2026, 0, 5, n), value: 40, unit: 'L', kind: 'water', interval_s: 3600 })).join('\n');
    const water = await run(['score', '--model', join(modelsDir, 'default')], `${waterLines}\n`);
    assert.equal(water.code, 1);
    assertOneLine(water, /^stream-smarts score: line 1: the default model is for energy and power, not water readings \(.*default\)$/);
    assert.equal(water.out, '', 'nothing scored with a model for another kind');
    const power = { entity_id: 'sensor.power', ts: Date.UTC(2026, 0, 5, 4), value: 400, unit: 'W', kind: 'power' };
    const seed = await run(['score', '--model', join(modelsDir, 'seed-hour-profile')], `{"hour": 4, "kwh": 1500}\n${JSON.stringify(power)}\n${JSON.stringify(power)}\n`);
    assert.equal(seed.code, 1);
    assertOneLine(seed, /^stream-smarts score: line 2: the hour-profile model is for energy, not power readings \(.*seed-hour-profile\)$/);
    assert.equal(seed.out.trim().split('\n').length, 1, 'the energy line before it was scored');
    const input = join(dir, 'water.csv');
    await writeFile(input, `timestamp,value\n${hourRows(30).join('\n')}\n`);
    for (const kind of ['water', 'other']) {
      const output = join(dir, `water-${kind}.out.csv`);
      const result = await run(['detect', '--input', input, '--output', output, '--model', join(modelsDir, 'default'), '--kind', kind]);
      assert.equal(result.code, 1, kind);
      assertOneLine(result, new RegExp(`^stream-smarts detect: the default model is for energy and power, not ${kind} readings \\(.*default\\)$`));
      await assert.rejects(readFile(output), /ENOENT/);
    }
  });

  it('train: empty and header-only inputs are exit 2, a directory exit 1, each one line', async () => {
    const header = join(dir, 'train-header.csv');
    await writeFile(header, 'timestamp,value\n');
    const empty = join(dir, 'train-empty.csv');
    await writeFile(empty, '');
    for (const input of [header, empty]) {
      const result = await run(['train', '--input', input, '--model', join(dir, 'model')]);
      assert.equal(result.code, 2, input);
      assertOneLine(result, /train: .*: no data rows \(the input is empty or only a header\)$/);
    }
    const folder = await run(['train', '--input', dir, '--model', join(dir, 'model')]);
    assert.equal(folder.code, 1);
    assertOneLine(folder, /cannot read .*: it is a directory, not a file$/);
  });
});

describe('inputLines', () => {
  it('splits on \\n and \\r\\n across chunk borders, keeps a last line without a break, bounds each line', async () => {
    const { inputLines } = await import('../../../../core/cli/input');
    const source = { name: 'test', stream: Readable.from([Buffer.from('ab'), Buffer.from('c\r\nde'), Buffer.from('f\n\nlast')]) };
    const lines: string[] = [];
    for await (const line of inputLines(source, 10)) lines.push(`${line.lineNo}:${line.text}`);
    assert.deepEqual(lines, ['1:abc', '2:def', '3:', '4:last']);

    const long = { name: 'test', stream: Readable.from([Buffer.from('ok\n12345'), Buffer.from('678901'), Buffer.from('2\nnext\n')]) };
    const seen: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const line of inputLines(long, 10)) seen.push(line.text);
      })(),
      /test: line 2 is 12 bytes long, over the limit of 10 bytes/,
    );
    assert.deepEqual(seen, ['ok']);
  });

  it('counts a huge line to its end in bounded memory (no RangeError)', async () => {
    const { inputLines } = await import('../../../../core/cli/input');
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    const stream = Readable.from((function* () {
      for (let i = 0; i < 64; i += 1) yield chunk;
      yield Buffer.from('\n');
    })());
    await assert.rejects(
      (async () => {
        for await (const line of inputLines({ name: 'big', stream })) assert.fail(`unexpected line ${line.lineNo}`);
      })(),
      /big: line 1 is 67108864 bytes long, over the limit of 1048576 bytes/,
    );
  });
});
