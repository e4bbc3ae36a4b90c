#!/usr/bin/env node
// Prepares a Node-RED user directory for the Stream Smarts demo, for `npm start` and the
// Docker image alike:
// - copies the demo flow in as flows.json: the first time, and again when the shipped flow
//   changed and the copy was not edited since (an edited flow is kept; --reset-flow replaces it);
// - writes flows_cred.json, encrypted with STREAM_SMARTS_CREDENTIAL_SECRET as Node-RED does,
//   whose credentials are ${ENV} references (Node-RED substitutes them at start), so the
//   token lives only in the Node-RED process's environment, never in a file;
// - optionally links the shipped models (seed-hour-profile, default) into <userDir>/models, the
//   anomaly node's model directory, where the home's own trained models are saved beside them;
// - optionally links the plugin from a checkout into the user directory's node_modules.
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

/** Credentials of each config node type, as references to the environment. */
export const credentialReferences = {
  'smarts-ha-server': { token: '${STREAM_SMARTS_HA_TOKEN}' },
};

export const packageName = 'node-red-contrib-stream-smarts';

/** Node-RED's own credential encryption (aes-256-ctr, key sha256(secret), iv hex + base64 body). */
export function encryptCredentials(secret, credentials) {
  const key = createHash('sha256').update(secret).digest();
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-ctr', key, iv);
  return { $: iv.toString('hex') + cipher.update(JSON.stringify(credentials), 'utf8', 'base64') + cipher.final('base64') };
}

export function credentialsFor(flow) {
  const credentials = {};
  for (const node of flow) {
    const references = credentialReferences[node.type];
    if (references) credentials[node.id] = { ...references };
  }
  return credentials;
}

export function prepareUserDir({ userDir, flowFile, credentialSecret, pluginDir, modelsFrom, resetFlow = false }) {
  if (!credentialSecret) throw new Error('a credential secret is required');
  mkdirSync(userDir, { recursive: true });
  const target = join(userDir, 'flows.json');
  const credentialsFile = join(userDir, 'flows_cred.json');
  // The hash of the shipped flow last copied: tells an untouched copy from the user's edits.
  const shippedHashFile = join(userDir, '.shipped-flow.sha256');
  const shipped = readFileSync(flowFile);
  const hash = (data) => createHash('sha256').update(data).digest('hex');
  // reason: new | reset | updated (copied), or unchanged | edited (kept)
  let reason;
  if (resetFlow) reason = 'reset';
  else if (!existsSync(target)) reason = 'new';
  else {
    const lastCopied = existsSync(shippedHashFile) ? readFileSync(shippedHashFile, 'utf8').trim() : null;
    const current = hash(readFileSync(target));
    if (current === hash(shipped)) reason = 'unchanged';
    else reason = lastCopied === current ? 'updated' : 'edited';
  }
  const copied = ['new', 'reset', 'updated'].includes(reason);
  if (copied) {
    copyFileSync(flowFile, target);
    writeFileSync(shippedHashFile, `${hash(shipped)}\n`);
  }
  const flow = JSON.parse(readFileSync(target, 'utf8'));
  if (!Array.isArray(flow)) throw new Error(`${target} is not a Node-RED flow (an array of nodes)`);
  // Rewritten every time: the secret may be new, and references hold nothing secret.
  writeFileSync(credentialsFile, JSON.stringify(encryptCredentials(credentialSecret, credentialsFor(flow)), null, 2));

  const modelDir = join(userDir, 'models');
  if (modelsFrom) {
    mkdirSync(modelDir, { recursive: true });
    for (const name of readdirSync(modelsFrom)) {
      const source = resolve(modelsFrom, name);
      const link = join(modelDir, name);
      if (!statSync(source).isDirectory()) continue;
      if (isDanglingLink(link)) rmSync(link, { force: true });
      if (!existsSync(link)) symlinkSync(source, link, 'dir');
    }
  }

  if (pluginDir) {
    const modules = join(userDir, 'node_modules');
    mkdirSync(modules, { recursive: true });
    const link = join(modules, packageName);
    if (existsSync(link) || isDanglingLink(link)) rmSync(link, { recursive: true, force: true });
    symlinkSync(resolve(pluginDir), link, 'dir');
    writeFileSync(
      join(userDir, 'package.json'),
      JSON.stringify({ name: 'stream-smarts-node-red', private: true, dependencies: { [packageName]: `file:${resolve(pluginDir)}` } }, null, 2),
    );
  }
  return { flowsFile: target, credentialsFile, modelDir, copied, reason };
}

function isDanglingLink(path) {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      'user-dir': { type: 'string' },
      flow: { type: 'string' },
      plugin: { type: 'string' },
      'models-from': { type: 'string' },
      'reset-flow': { type: 'boolean', default: false },
    },
  });
  if (!values['user-dir'] || !values.flow) {
    console.error('usage: prepare-userdir.mjs --user-dir DIR --flow FLOW.json [--models-from DIR] [--plugin CHECKOUT] [--reset-flow]  (secret in STREAM_SMARTS_CREDENTIAL_SECRET)');
    process.exit(2);
  }
  try {
    const result = prepareUserDir({
      userDir: values['user-dir'],
      flowFile: values.flow,
      pluginDir: values.plugin,
      modelsFrom: values['models-from'],
      resetFlow: values['reset-flow'],
      credentialSecret: process.env.STREAM_SMARTS_CREDENTIAL_SECRET,
    });
    console.log(`${result.copied ? `demo flow (${result.reason}) copied to` : 'kept the edited flow in'} ${result.flowsFile}`);
  } catch (error) {
    console.error(`prepare-userdir: ${error.message}`);
    process.exit(1);
  }
}
