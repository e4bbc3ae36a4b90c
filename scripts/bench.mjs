#!/usr/bin/env node
// npm run bench [name] [-- flags]: builds, then runs the compiled benchmarks (test/bench/*.bench.ts)
// one after another, each in its own process so one's memory does not colour the next. A name
// runs that benchmark (or, if none is called so, those whose names start with it); the flags
// after it go to each benchmark run, e.g. `npm run bench pipeline -- --count 5000`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const only = args[0] !== undefined && !args[0].startsWith('-') ? args.shift() : undefined;
const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const dir = join(root, 'dist', 'test', 'bench');
const all = existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.bench.js')).sort() : [];
const files = !only ? all : all.includes(`${only}.bench.js`) ? [`${only}.bench.js`] : all.filter((name) => name.startsWith(only));
if (only && files.length === 0) {
  console.error(`bench: no benchmark named ${only} (have: ${all.map((name) => name.replace(/\.bench\.js$/, '')).join(', ')})`);
  process.exit(1);
}
let failed = 0;
for (const name of files) {
  console.log(`\n## ${name.replace(/\.bench\.js$/, '')}`);
  const result = spawnSync(process.execPath, ['--expose-gc', join(dir, name), ...args], {
    stdio: 'inherit',
    cwd: root,
    env: { ...process.env, STREAM_SMARTS_ROOT: root },
  });
  if (result.status !== 0) failed += 1;
}
process.exit(failed > 0 ? 1 : 0);
