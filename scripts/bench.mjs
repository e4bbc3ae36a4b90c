#!/usr/bin/env node
// npm run bench: builds, then runs every compiled benchmark (test/bench/*.bench.ts) one after
// another, each in its own process so one's memory does not colour the next.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv[2];
const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const dir = join(root, 'dist', 'test', 'bench');
const files = existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.bench.js')).sort() : [];
let failed = 0;
for (const name of files) {
  if (only && !name.startsWith(only)) continue;
  console.log(`\n## ${name.replace(/\.bench\.js$/, '')}`);
  const result = spawnSync(process.execPath, ['--expose-gc', join(dir, name)], {
    stdio: 'inherit',
    cwd: root,
    env: { ...process.env, STREAM_SMARTS_ROOT: root },
  });
  if (result.status !== 0) failed += 1;
}
process.exit(failed > 0 ? 1 : 0);
