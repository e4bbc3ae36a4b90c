import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { projectRoot } from '../../support/stack';

// The package as a user gets it: `npm pack`, installed by name into an empty project, then
// required from JavaScript and type-checked from TypeScript against its own declarations.

const packageName = 'node-red-contrib-stream-smarts';
let scratch = '';

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
}

function nodeScript(code: string): string {
  return execFileSync(process.execPath, ['-e', code], { cwd: scratch, encoding: 'utf8', timeout: 60_000 });
}

describe('the packed package, installed by name', { timeout: 600_000 }, () => {
  before(() => {
    scratch = mkdtempSync(join(tmpdir(), 'stream-smarts-installed-'));
    // dist/ is built by npm test; --ignore-scripts keeps pack from building it a second time
    npm(['pack', '--ignore-scripts', '--pack-destination', scratch], projectRoot());
    const tarball = readdirSync(scratch).find((name) => name.endsWith('.tgz'));
    assert.ok(tarball, 'npm pack wrote a tarball');
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'user-project', version: '1.0.0', private: true }));
    npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--omit=optional', '--ignore-scripts', join(scratch, tarball)], scratch);
  });

  after(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('is required by name and scores the seed demo reading with its shipped model', async () => {
    const out = nodeScript(`
      const smarts = require(${JSON.stringify(packageName)});
      const reading = smarts.parseReading({ hour: 4, kwh: 1500 });
      const service = new smarts.AnomalyService({ modelDir: smarts.shippedModelsDir, mapping: smarts.defaultSeriesModels, save: false });
      service.score([reading]).then(([scored]) => {
        console.log(JSON.stringify({ entity: reading.entity_id, score: scored.score, anomaly: scored.anomaly, kinds: smarts.readingKinds }));
      });
    `);
    const result = JSON.parse(out) as { entity: string; score: number; anomaly: boolean; kinds: string[] };
    assert.equal(result.entity, 'seed.power');
    // the seed project's own demo: {"hour": 4, "kwh": 1500} scored 5.46 and alerted
    assert.ok(Math.abs(result.score - 5.46) < 0.01, `score ${result.score}`);
    assert.equal(result.anomaly, true);
    assert.deepEqual(result.kinds, ['energy', 'power', 'water', 'gas', 'location', 'other']);
  });

  it('round-trips a reading through its Avro codec', async () => {
    const out = nodeScript(`
      const smarts = require(${JSON.stringify(packageName)});
      const codec = new smarts.ValueCodec();
      const reading = { entity_id: 'sensor.energy', ts: 1700000000000, value: 0.42, unit: 'kWh', kind: 'energy', hour: 22, interval_s: 3600 };
      codec.encode('avro', 'raw_readings', reading).then((bytes) => codec.decode(bytes, 'auto')).then((decoded) => console.log(JSON.stringify(decoded.value)));
    `);
    const decoded = JSON.parse(out) as Record<string, unknown>;
    assert.equal(decoded.entity_id, 'sensor.energy');
    assert.equal(decoded.value, 0.42);
    assert.equal(decoded.interval_s, 3600);
  });

  it('type-checks a TypeScript user of its declarations', () => {
    writeFileSync(
      join(scratch, 'use.ts'),
      `import { parseReading, AnomalyService, ValueCodec, startWorker, HaClient, type Reading, type ScoredReading } from '${packageName}';\n` +
        `const reading: Reading = parseReading({ hour: 3, mwh: 321 });\n` +
        `const pending: Promise<ScoredReading[]> = new AnomalyService({ modelDir: '.' }).score([reading]);\n` +
        `export { pending, ValueCodec, startWorker, HaClient };\n`,
    );
    writeFileSync(join(scratch, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: 'commonjs', moduleResolution: 'node', target: 'es2022', types: [], skipLibCheck: true }, files: ['use.ts'] }));
    const tsc = join(projectRoot(), 'node_modules', 'typescript', 'bin', 'tsc');
    execFileSync(process.execPath, [tsc, '-p', join(scratch, 'tsconfig.json')], { cwd: scratch, encoding: 'utf8' });
    // and a wrong use is refused, so the check above is not vacuous
    writeFileSync(join(scratch, 'use.ts'), `import { parseReading } from '${packageName}';\nconst n: number = parseReading({ hour: 3, mwh: 321 });\nexport { n };\n`);
    assert.throws(() => execFileSync(process.execPath, [tsc, '-p', join(scratch, 'tsconfig.json')], { cwd: scratch, encoding: 'utf8', stdio: 'pipe' }));
  });

  it('installs the stream-smarts command', () => {
    const help = execFileSync(join(scratch, 'node_modules', '.bin', 'stream-smarts'), ['--help'], { cwd: scratch, encoding: 'utf8' });
    assert.match(help, /detect/);
    assert.match(help, /worker/);
  });

  it("runs the README's score example from the install, the shipped model named as in the README", () => {
    const out = execFileSync(join(scratch, 'node_modules', '.bin', 'stream-smarts'), ['score', '--model', 'models/seed-hour-profile'], {
      cwd: scratch,
      input: '{"hour": 4, "kwh": 1500}\n',
      encoding: 'utf8',
    });
    const scored = JSON.parse(out.trim()) as { score: number; anomaly: boolean };
    assert.ok(Math.abs(scored.score - 5.46) < 0.01, `score ${scored.score}`);
    assert.equal(scored.anomaly, true);
  });
});
