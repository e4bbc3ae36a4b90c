// Node-RED 5 needs Node.js 22.9+: both come from npm into ~/.cache/stream-smarts (once; later runs
// reuse them), beside, never inside, the project's node_modules (Node-RED 4.1 for Node.js 20).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cache = join(process.env.STREAM_SMARTS_CACHE ?? join(homedir(), '.cache', 'stream-smarts'));
export const node22Spec = 'node@22';
export const nodeRed5Spec = 'node-red@~5.0.7';
const helperSpec = 'node-red-node-test-helper@^0.3.6';

function installInto(dir, specs) {
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, 'package.json'))) writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
  console.log(`installing ${specs.join(' ')} into ${dir}`);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--loglevel=error', ...specs], { cwd: dir, stdio: 'inherit' });
}

const versionOf = (packageDir) => JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).version;

/** The Node.js 22 binary and the environment that makes the tests load Node-RED 5. */
export function nodeRed5Runtime() {
  const nodeDir = join(cache, 'node22');
  const node = join(nodeDir, 'node_modules', '.bin', 'node');
  if (!existsSync(node)) installInto(nodeDir, [node22Spec]);
  const nodeRedDir = join(cache, 'node-red-5');
  const modules = join(nodeRedDir, 'node_modules');
  if (!existsSync(join(modules, 'node-red', 'package.json')) || !existsSync(join(modules, 'node-red-node-test-helper'))) {
    installInto(nodeRedDir, [nodeRed5Spec, helperSpec]);
  }
  const nodeVersion = execFileSync(node, ['-v'], { encoding: 'utf8' }).trim();
  const preload = join(root, 'scripts', 'node-red-runtime.cjs');
  return {
    node,
    nodeVersion,
    nodeRedVersion: versionOf(join(modules, 'node-red')),
    env: {
      STREAM_SMARTS_NODE_RED_MODULES: modules,
      // the test processes and the Node-RED processes they start (node-red/red.js) alike
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${preload}`.trim(),
      PATH: `${dirname(node)}:${process.env.PATH ?? ''}`,
    },
  };
}
