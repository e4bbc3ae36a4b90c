#!/usr/bin/env node
// npm test entry: builds, then runs the compiled tests of one group or all of them with
// Node's test runner. Node and integration tests need the local stack (the real Home Assistant, Kafka): it is started when it is down.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { nodeRed5Runtime } from './node-red-5.mjs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// --node-red 5: the same tests on Node.js 22 with Node-RED 5 (both installed into ~/.cache/stream-smarts).
const args = process.argv.slice(2);
const runtimeFlag = args.indexOf('--node-red');
const nodeRedMajor = runtimeFlag >= 0 ? args.splice(runtimeFlag, 2)[1] : undefined;
if (nodeRedMajor !== undefined && nodeRedMajor !== '4' && nodeRedMajor !== '5') {
  console.error(`unknown --node-red '${nodeRedMajor}' (4: the project's Node-RED 4.1 on this Node.js; 5: Node-RED 5 on Node.js 22)`);
  process.exit(2);
}
const group = args[0] ?? 'all';
const groups = group === 'all' ? ['unit', 'nodes', 'integration'] : [group];
// reliability (faults against the real services: minutes each) runs on its own, not in `all`.
if (!groups.every((name) => ['unit', 'nodes', 'integration', 'reliability'].includes(name))) {
  console.error(`unknown test group '${group}' (unit, nodes, integration, reliability, all)`);
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
if (groups.some((name) => name !== 'unit')) {
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
function runTests(nodeBinary, testFiles, env) {
  run(nodeBinary, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...testFiles], {
    env: { ...process.env, STREAM_SMARTS_ROOT: root, ...env },
  });
}

/** What also runs on Node-RED 5 in `all`: the node tests, the real Node-RED process tests, the editor in a browser, the installed package. */
const onNodeRed5 = (file) =>
  file.includes(`${join('dist', 'test', 'nodes')}`) ||
  file.endsWith(join('integration', 'kafka', 'node-red-process.test.js')) ||
  file.endsWith(join('integration', 'browser', 'editor.test.js')) ||
  file.endsWith(join('integration', 'e2e', 'admin-endpoints-auth.test.js')) ||
  file.includes(join('dist', 'test', 'integration', 'package'));

if (nodeRedMajor === '5') {
  const runtime = nodeRed5Runtime();
  runTests(runtime.node, files, runtime.env);
} else {
  runTests(process.execPath, files, {});
  if (group === 'all' && nodeRedMajor === undefined) {
    const runtime = nodeRed5Runtime();
    console.log(`\n# again on Node-RED ${runtime.nodeRedVersion} / Node.js ${runtime.nodeVersion}`);
    runTests(runtime.node, files.filter(onNodeRed5), runtime.env);
  }
}
