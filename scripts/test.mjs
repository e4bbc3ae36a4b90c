#!/usr/bin/env node
// npm test entry: builds, then runs the compiled tests of one group or all of them with
// Node's test runner. Node and integration tests need the local stack (the real Home Assistant, Kafka): it is started when it is down.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const group = process.argv[2] ?? 'all';
const groups = group === 'all' ? ['unit', 'nodes', 'integration'] : [group];
if (!groups.every((name) => ['unit', 'nodes', 'integration'].includes(name))) {
  console.error(`unknown test group '${group}' (unit, nodes, integration, all)`);
  process.exit(2);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  const found = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...testFiles(path));
    else if (name.endsWith('.test.js')) found.push(path);
  }
  return found;
}

run(process.execPath, [join(root, 'scripts', 'build.mjs')]);
if (groups.includes('integration') || groups.includes('nodes')) {
  const status = spawnSync('bash', [join(root, 'scripts', 'stack.sh'), 'status', '--quiet'], { cwd: root });
  if (status.status !== 0) run('bash', [join(root, 'scripts', 'stack.sh'), 'up']);
}

const files = groups.flatMap((name) => testFiles(join(root, 'dist', 'test', name)));
if (files.length === 0) {
  console.error(`no test files found for '${group}'`);
  process.exit(1);
}
// One runner for all files, so the run ends with one summary. Files run one at a time:
// integration tests share the real broker and Home Assistant.
run(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
  env: { ...process.env, STREAM_SMARTS_ROOT: root },
});
