#!/usr/bin/env node
/* global fetch, AbortSignal, queueMicrotask */
// npm start: the whole product on this machine, with a simulated home.
//  1. builds if the sources are newer than dist/;
//  2. brings up the local stack (Kafka, Home Assistant, schema registry) unless it is up;
//  3. starts Node-RED on 127.0.0.1:1880 with its own user directory (.stack/node-red), a generated
//     credential secret, the plugin from this checkout and the demo flow (flows/), whose config
//     nodes read the stack's addresses and token from the environment;
//  4. drives a simulated home (core/sim) through Home Assistant's meter: backfills weeks of hourly
//     history into the statistics of sensor.home_energy (what the flow's model learns from), then
//     sets input_number.home_energy_meter (which sensor.home_energy follows) once per simulated
//     hour, every few seconds, with an anomaly every few minutes. Node-RED's meters run on the same
//     simulated clock (STREAM_SMARTS_METER_CLOCK), so the flow's meter node cuts the hours and
//     sends them to raw_mwh: every node of the demo flow works on what Home Assistant reports.
// Ctrl-C stops everything it started (the stack only if it was down before).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { prepareUserDir } from './node-red/prepare-userdir.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const stackDir = process.env.STACK_DIR ?? join(root, '.stack');
const userDir = join(stackDir, 'node-red');
const flowFile = join(root, 'flows', 'stream-smarts-demo.json');
const settingsFile = join(root, 'scripts', 'node-red', 'settings.js');
const meterEntity = 'sensor.home_energy';
const meterInput = 'input_number.home_energy_meter';
/** Node-RED's start and the flow's training (10 s after start) happen before simulated time runs. */
const clockLeadMs = 45_000;

const usage = `Usage: npm start [-- options]

  --speed SECONDS        real seconds per simulated hour (default 5)
  --anomaly-every HOURS  simulated hours between injected anomalies (default 36: every 3 min at speed 5)
  --history-days DAYS    days of history backfilled into Home Assistant (default 28)
  --seed N               the simulated household (default 1)
  --port PORT            Node-RED port (default 1880)
  --fresh-flow           replace the flow in .stack/node-red with the shipped demo flow
  --no-build             use dist/ as it is (tests that run from dist/)
  --no-sim               start everything but the simulated home`;

function options() {
  try {
    const { values } = parseArgs({
      options: {
        speed: { type: 'string', default: '5' },
        'anomaly-every': { type: 'string', default: '36' },
        'history-days': { type: 'string', default: '28' },
        seed: { type: 'string', default: '1' },
        port: { type: 'string', default: process.env.STREAM_SMARTS_NODE_RED_PORT ?? '1880' },
        'fresh-flow': { type: 'boolean', default: false },
        'no-sim': { type: 'boolean', default: false },
        'no-build': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      console.log(usage);
      process.exit(0);
    }
    const number = (name, min) => {
      const value = Number(values[name]);
      if (!Number.isFinite(value) || value < min) throw new Error(`--${name} must be a number ≥ ${min}, got '${values[name]}'`);
      return value;
    };
    return {
      speedMs: number('speed', 0.2) * 1000,
      anomalyEvery: Math.round(number('anomaly-every', 2)),
      historyDays: Math.round(number('history-days', 1)),
      seed: Math.round(number('seed', 0)),
      port: Math.round(number('port', 1)),
      freshFlow: values['fresh-flow'],
      simulate: !values['no-sim'],
      build: !values['no-build'],
    };
  } catch (error) {
    console.error(`npm start: ${error.message}\n\n${usage}`);
    process.exit(2);
  }
}

const say = (line) => console.log(`[start] ${line}`);

function newestMtime(dir, pattern) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stats = statSync(path);
    if (stats.isDirectory()) newest = Math.max(newest, newestMtime(path, pattern));
    else if (pattern.test(name)) newest = Math.max(newest, stats.mtimeMs);
  }
  return newest;
}

/** Build when any output the product needs is missing or older than the newest source. */
function ensureBuilt() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const outputs = [join(root, 'dist', 'core', 'cli', 'main.js'), join(root, 'dist', 'core', 'sim', 'index.js')];
  for (const file of Object.values(pkg['node-red'].nodes)) outputs.push(join(root, file), join(root, file.replace(/\.js$/, '.html')));
  const oldestOutput = Math.min(...outputs.map((file) => (existsSync(file) ? statSync(file).mtimeMs : 0)));
  const newestSource = Math.max(newestMtime(join(root, 'core'), /\.(ts|avsc|json)$/), newestMtime(join(root, 'nodes'), /\.(ts|js|html|json|svg)$/));
  if (oldestOutput > 0 && oldestOutput >= newestSource) return;
  say('building (sources are newer than dist/)');
  const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit', cwd: root });
  if (build.status !== 0) throw new Error('the build failed (see above)');
}

function stack(command, quiet = false) {
  return spawnSync('bash', [join(root, 'scripts', 'stack.sh'), command, ...(quiet ? ['--quiet'] : [])], {
    stdio: quiet ? 'ignore' : 'inherit',
    cwd: root,
    env: { ...process.env, STACK_DIR: stackDir },
  }).status;
}

function credentialSecret() {
  const file = join(userDir, '.credential-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(userDir, { recursive: true });
  const secret = randomBytes(24).toString('hex');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function portInUse(port) {
  try {
    await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch (error) {
    return error?.cause?.code !== 'ECONNREFUSED';
  }
}

function logTail(file, lines = 30) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Starts Node-RED; resolves once the plugin's nodes are loaded and the flows started. */
async function startNodeRed(env, port, logFile) {
  const logStart = existsSync(logFile) ? statSync(logFile).size : 0;
  const newLog = () => {
    try {
      return readFileSync(logFile, 'utf8').slice(logStart);
    } catch {
      return '';
    }
  };
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, [join(root, 'node_modules', 'node-red', 'red.js'), '--settings', settingsFile, '--userDir', userDir], {
    cwd: root,
    env,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  // Beside the stack's pid files, so whoever cleans up after a killed npm start finds it too.
  const pidFile = join(stackDir, 'run', 'node-red.pid');
  mkdirSync(dirname(pidFile), { recursive: true });
  writeFileSync(pidFile, `${child.pid}\n`);
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      rmSync(pidFile, { force: true });
      resolve({ code, signal });
    }),
  );
  try {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const early = await Promise.race([exited, sleep(500).then(() => null)]);
      if (early) throw new Error(`Node-RED exited (${early.code ?? early.signal}) while starting:\n${newLog().trimEnd().split('\n').slice(-30).join('\n')}`);
      if (/Started flows/.test(newLog())) break;
      if (Date.now() > deadline) throw new Error(`Node-RED did not start within 2 minutes:\n${newLog().trimEnd().split('\n').slice(-30).join('\n')}`);
    }
    const nodes = await (await fetch(`http://127.0.0.1:${port}/nodes`, { headers: { accept: 'application/json' } })).json();
    const ours = nodes.filter((set) => set.module === 'node-red-contrib-stream-smarts');
    const broken = ours.filter((set) => set.err || !set.enabled);
    if (ours.length === 0 || broken.length > 0) {
      throw new Error(`the plugin's nodes did not load: ${broken.map((set) => `${set.name}: ${set.err}`).join('; ') || 'not found'}`);
    }
    return { child, exited, types: ours.flatMap((set) => set.types) };
  } catch (error) {
    // Never leave a Node-RED behind that the caller does not know about.
    await stopChild(child, exited, 5000);
    throw error;
  }
}

async function stopChild(child, exited, graceMs = 10_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGINT');
  const done = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!done) {
    child.kill('SIGKILL');
    await exited;
  }
}

const dist = (path) => require(join(root, 'dist', 'core', path));
const simClock = (ts) => new Date(ts).toLocaleString('en-GB', { weekday: 'short', day: '2-digit', month: 'short', hour: '2-digit', minute: '2-digit' });

async function connectHa(info) {
  const { HaClient } = dist('ha/client.js');
  const { resolveServerConfig } = dist('ha/server-config.js');
  const ha = new HaClient({ config: resolveServerConfig({ url: info.ha.url, token: info.ha.token }, {}) });
  ha.start();
  await new Promise((resolve, reject) => {
    const stop = ha.onStatus((status) => {
      if (status.state === 'connected') {
        resolve();
        queueMicrotask(() => stop());
      } else if (status.state === 'auth-failed') reject(new Error(`Home Assistant refused the token: ${status.reason}`));
    });
  });
  return ha;
}

/**
 * Before Node-RED starts: the simulated home's weeks of history into the meter's statistics and
 * the meter's reading at the end of them; the simulated clock starts at the end of the history.
 */
async function prepareSimulatedHome(info, opts) {
  const sim = dist('sim/index.js');
  const ha = await connectHa(info);
  const start = sim.startOfHour(Date.now());
  const household = sim.createHousehold({ seed: opts.seed });
  const { message, total } = sim.backfillMessage(household, meterEntity, 'Home energy', start, opts.historyDays, 0);
  await ha.command(message);
  await ha.callService('input_number', 'set_value', { entity_id: meterInput, value: Number(total.toFixed(3)) });
  say(`simulated home: ${opts.historyDays} days of hourly history (${message.stats.length} hours, ${total.toFixed(0)} kWh) written to the statistics of ${meterEntity}`);
  const clock = { wallStart: Date.now() + clockLeadMs, simulatedStart: start, speed: 3_600_000 / opts.speedMs };
  return { ha, sim, household, start, total, clock };
}

/** From the clock's start: one simulated hour per tick, as the meter's reading in Home Assistant. */
async function startSimulatedHome(prepared, opts) {
  const { ha, sim, household, start, total, clock } = prepared;
  const anomalies = sim.anomalySchedule(start, opts.anomalyEvery, 10_000);
  const home = sim.withAnomalies(household, anomalies);

  // The flow trains the meter's model from the backfilled history shortly after it starts; live
  // hours start with the simulated clock, so the demo's first hours are scored by what it learned.
  const { folderFor } = dist('anomaly/model/model-dir.js');
  const trained = join(opts.modelDir, folderFor(meterEntity), 'metadata.json');
  if (!existsSync(trained)) {
    say('simulated home: waiting for the flow to learn the backfilled history (row 3 of the flow)…');
    while (!existsSync(trained) && Date.now() < clock.wallStart && !opts.stopping()) await sleep(500);
    say(existsSync(trained) ? 'simulated home: the model has learned the home' : 'simulated home: no trained model yet; starting anyway (the default model scores until it learns)');
  }
  const running = sim.startSimulatedHome({
    source: home,
    entityId: meterEntity,
    from: start,
    initialKwh: total,
    realMsPerHour: opts.speedMs,
    // Half way through each simulated hour on the meter's clock, so wall-clock jitter never moves
    // a reading into the neighbouring hour.
    firstAt: clock.wallStart + opts.speedMs / 2,
    sinks: {
      meter: (sample) => ha.callService('input_number', 'set_value', { entity_id: meterInput, value: Number(sample.total.toFixed(3)) }).then(() => undefined),
    },
    onHour: (sample) => {
      if (sample.hour.anomaly) say(`simulated ${simClock(sample.hour.start)}: ${sample.hour.kwh.toFixed(2)} kWh, injected: ${sample.hour.anomaly}`);
      else if (sample.hour.hour === 0) say(`simulated ${simClock(sample.hour.start)} (meter ${sample.total.toFixed(1)} kWh)`);
    },
    onError: (error, sample) => say(`simulated ${simClock(sample.hour.start)}: ${error.message}`),
  });
  say(`simulated home: one hour every ${opts.speedMs / 1000} s from ${simClock(start)}, an anomaly every ${opts.anomalyEvery} simulated hours (first at ${simClock(anomalies[0].start)})`);
  return {
    async stop() {
      await running.stop();
      await ha.stop();
    },
  };
}

async function main() {
  const opts = options();
  const started = { stack: false, nodeRed: null, home: null };
  let stopping = false;
  const stopAll = async (code) => {
    if (stopping) return;
    stopping = true;
    say('stopping what npm start started…');
    try {
      await started.home?.stop();
    } catch (error) {
      say(`simulated home: ${error.message}`);
    }
    if (started.nodeRed) await stopChild(started.nodeRed.child, started.nodeRed.exited);
    if (started.stack) stack('down');
    say('stopped');
    process.exit(code);
  };
  let interrupts = 0;
  const onSignal = () => {
    interrupts += 1;
    if (interrupts > 1) {
      started.nodeRed?.child.kill('SIGKILL');
      process.exit(130);
    }
    void stopAll(0);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    if (opts.build) ensureBuilt();
    if (stack('status', true) !== 0) {
      say('starting the local stack (Kafka, Home Assistant, schema registry)');
      started.stack = true;
      if (stack('up') !== 0) throw new Error('the stack did not come up (see above; logs in .stack/logs)');
    } else say('the local stack is already up; it stays up after Ctrl-C');
    if (stopping) return;
    const info = JSON.parse(readFileSync(join(stackDir, 'stack.json'), 'utf8'));
    if (await portInUse(opts.port)) throw new Error(`port ${opts.port} is in use; stop what runs there or use --port`);

    let prepared;
    if (opts.simulate) {
      prepared = await prepareSimulatedHome(info, opts);
      started.home = { stop: () => prepared.ha.stop() };
    }
    if (stopping) return;
    const secret = credentialSecret();
    const userDirState = prepareUserDir({ userDir, flowFile, credentialSecret: secret, pluginDir: root, modelsFrom: join(root, 'models'), resetFlow: opts.freshFlow });
    say(
      {
        new: `demo flow copied to ${userDirState.flowsFile}`,
        reset: `demo flow copied to ${userDirState.flowsFile}`,
        updated: `demo flow updated in ${userDirState.flowsFile}`,
        unchanged: `demo flow in ${userDirState.flowsFile}`,
        edited: `keeping your edited flow in ${userDirState.flowsFile} (--fresh-flow replaces it with the shipped demo flow)`,
      }[userDirState.reason],
    );
    const env = {
      ...process.env,
      STREAM_SMARTS_CREDENTIAL_SECRET: secret,
      STREAM_SMARTS_NODE_RED_HOST: '127.0.0.1',
      STREAM_SMARTS_NODE_RED_PORT: String(opts.port),
      STREAM_SMARTS_HA_URL: info.ha.url,
      STREAM_SMARTS_HA_TOKEN: info.ha.token,
      STREAM_SMARTS_KAFKA_BROKERS: info.kafka.brokers.join(','),
      STREAM_SMARTS_REGISTRY_URL: info.registry?.url ?? '',
      STREAM_SMARTS_MODEL_DIR: userDirState.modelDir,
      STREAM_SMARTS_HISTORY_ENTITIES: meterEntity,
      STREAM_SMARTS_ALERT_COOLDOWN: opts.simulate ? '1' : '60',
      STREAM_SMARTS_METER_CLOCK: prepared ? dist('ha/meter-clock.js').formatMeterClock(prepared.clock) : '',
    };
    const logFile = join(stackDir, 'logs', 'node-red.log');
    mkdirSync(dirname(logFile), { recursive: true });
    say(`starting Node-RED (log: ${logFile})`);
    started.nodeRed = await startNodeRed(env, opts.port, logFile);
    if (stopping) return;
    started.nodeRed.exited.then(({ code, signal }) => {
      if (stopping) return;
      say(`Node-RED exited unexpectedly (${code ?? signal}):\n${logTail(logFile)}`);
      void stopAll(1);
    });
    say(`Node-RED is running with ${started.nodeRed.types.length} Stream Smarts node types`);
    if (prepared) started.home = await startSimulatedHome(prepared, { ...opts, modelDir: userDirState.modelDir, stopping: () => stopping });
    if (stopping) return;

    let login = '';
    try {
      const owner = JSON.parse(readFileSync(join(stackDir, 'ha', 'owner.json'), 'utf8'));
      login = ` (log in as ${owner.username} / ${owner.password})`;
    } catch {
      // the stack keeps the owner's login there; without it the URL is still right
    }
    const { scoreSensorId } = require(join(root, 'dist', 'core', 'ha', 'notify', 'alert-plan.js'));
    const scoreSensor = scoreSensorId(meterEntity);
    const every = opts.anomalyEvery * opts.speedMs;
    const everyText = every >= 60_000 ? `${Math.round(every / 60_000)} min` : `${Math.round(every / 1000)} s`;
    console.log(`
  Stream Smarts is running.

  Node-RED editor     http://127.0.0.1:${opts.port}/
  Home Assistant      ${info.ha.url}/${login}
  Dashboard           ${info.ha.url}/lovelace/stream-smarts
  Anomaly score       ${info.ha.url}/history?entity_id=${scoreSensor}
  Notifications log   ${info.ha.notifyFile}

  What to watch:
  - Home Assistant: ${meterInput} (and ${meterEntity}, which follows it) rises
    once per simulated hour, every ${opts.speedMs / 1000} s; the dashboard charts each hour's use against
    what was expected and the anomaly score against its threshold of 1.
  - Node-RED: the meter node cuts the simulated hours ("N sent") into raw_mwh, the consumer
    counts them, "anomaly_power" shows the last score; about 10 s after start it trains on the
    backfilled history ("training …%", then "ready").
  - Every ${opts.anomalyEvery} simulated hours (${everyText}) the home gets an anomaly
    (printed below): the score sensor jumps above 1 and falls back, a persistent notification
    appears in Home Assistant, the stream_smarts_anomaly event fires, a line lands in the
    notifications log and a JSON record on Kafka topic anomaly_power.
  Ctrl-C stops everything npm start started.
`);
  } catch (error) {
    say(`failed: ${error.message}`);
    await stopAll(1);
  }
}

main();
