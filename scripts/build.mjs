#!/usr/bin/env node
// Compiles TypeScript to CommonJS in dist/, then lays out each node as Node-RED's loader
// expects: <type>.js beside <type>.html (assembled from nodes/<type>/editor/), locales/, icons/.
import { execFileSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// STREAM_SMARTS_OUT builds elsewhere (a private tree while others edit this one);
// --keep-going reports type errors but still lays out what tsc emitted.
const dist = process.env.STREAM_SMARTS_OUT ?? join(root, 'dist');
const keepGoing = process.argv.includes('--keep-going');

try {
  execFileSync(
    process.execPath,
    [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json'), '--outDir', dist],
    { stdio: 'inherit' },
  );
} catch {
  if (!keepGoing) process.exit(1);
  console.error('build: type errors above; continuing (--keep-going)');
}

function walk(dir, visit) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, visit);
    else visit(path);
  }
}

// Non-TypeScript assets that the compiled core reads at run time (Avro schemas, JSON tables).
const assetPattern = /\.(avsc|json|html|css|svg)$/;
walk(join(root, 'core'), (path) => {
  if (assetPattern.test(path)) {
    const target = join(dist, relative(root, path));
    mkdirSync(dirname(target), { recursive: true });
    cpSync(path, target);
  }
});

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const declared = pkg['node-red']?.nodes ?? {};
const nodesDir = join(root, 'nodes');
if (existsSync(nodesDir)) {
  for (const type of readdirSync(nodesDir)) {
    const source = join(nodesDir, type);
    if (!statSync(source).isDirectory() || !existsSync(join(source, `${type}.ts`))) continue;
    const target = join(dist, 'nodes', type);
    mkdirSync(target, { recursive: true });
    const editor = join(source, 'editor');
    const script = readFileSync(join(editor, 'editor.js'), 'utf8');
    const template = readFileSync(join(editor, 'template.html'), 'utf8');
    writeFileSync(
      join(target, `${type}.html`),
      `<script type="text/javascript">\n${script}\n</script>\n\n` +
        `<script type="text/html" data-template-name="${type}">\n${template}\n</script>\n`,
    );
    for (const folder of ['locales', 'icons']) {
      if (existsSync(join(source, folder))) cpSync(join(source, folder), join(target, folder), { recursive: true });
    }
    const expected = `dist/nodes/${type}/${type}.js`;
    if (declared[type] !== expected) {
      console.error(`package.json node-red.nodes["${type}"] should be "${expected}"`);
      process.exitCode = 1;
    }
  }
}

// tfjs, vendored: only the Node.js bundle of each tfjs package (and the wasm backend's binaries),
// not the packages whole (their browser bundles, ES modules and source maps are 95 MB of the
// 102 MB an install took). The bundles ask for '@tensorflow/tfjs-core' by name: they get the
// vendored copy instead, so all four share one tfjs-core. core/anomaly/model/backend.ts loads them.
const tfjs = { 'tfjs-core': 'tf-core', 'tfjs-layers': 'tf-layers', 'tfjs-backend-cpu': 'tf-backend-cpu', 'tfjs-backend-wasm': 'tf-backend-wasm' };
const vendor = join(dist, 'vendor', 'tfjs');
mkdirSync(vendor, { recursive: true });
const notices = [];
for (const [name, bundle] of Object.entries(tfjs)) {
  const from = join(root, 'node_modules', '@tensorflow', name);
  const manifest = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8'));
  const code = readFileSync(join(from, 'dist', `${bundle}.node.js`), 'utf8')
    .replace(/require\((['"])@tensorflow\/tfjs-core\1\)/g, "require('./tfjs-core.js')")
    .replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
  // what the bundle requires by name must be a builtin or one of the package's own dependencies
  // (node-fetch only where Node.js has no fetch of its own, which every supported version has)
  for (const [, wanted] of code.matchAll(/^(?!\s*\/\/).*?require\((?:'|")([^'"./][^'"]*)(?:'|")\)/gm)) {
    if (builtinModules.includes(wanted.replace(/^node:/, '')) || wanted === 'node-fetch' || pkg.dependencies?.[wanted.split('/')[0]]) continue;
    console.error(`build: the vendored ${name} requires '${wanted}', which is not a dependency of this package`);
    process.exitCode = 1;
  }
  writeFileSync(join(vendor, `${name}.js`), code);
  for (const file of readdirSync(join(from, 'dist')).filter((file) => file.endsWith('.wasm'))) cpSync(join(from, 'dist', file), join(vendor, file));
  notices.push(`@tensorflow/${name} ${manifest.version} (${manifest.license}), ${manifest.repository?.url ?? 'github.com/tensorflow/tfjs'}`);
}
writeFileSync(
  join(vendor, 'NOTICE'),
  `Vendored from npm, unmodified but for the require of @tensorflow/tfjs-core (now ./tfjs-core.js):\n${notices.join('\n')}\n` +
    'Copyright 2018-2024 Google LLC. Licensed under the Apache License, Version 2.0: http://www.apache.org/licenses/LICENSE-2.0\n',
);
