import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { projectRoot } from '../../support/stack';
import { parseYaml } from './yaml';

// No Docker engine here: docker-compose.yml is checked statically against the files it uses.
const root = projectRoot();
const read = (path: string) => readFileSync(join(root, path), 'utf8');

type Service = {
  image?: string;
  build?: { context: string; dockerfile: string };
  ports?: string[];
  environment?: Record<string, string | number>;
  volumes?: string[];
  depends_on?: string[];
};
type Compose = { services: Record<string, Service>; volumes: Record<string, unknown> };

const compose = parseYaml(read('docker-compose.yml'), 'docker-compose.yml') as Compose;
const service = (name: string): Service => {
  const found = compose.services[name];
  assert.ok(found, `service ${name} missing`);
  return found;
};
const stackVersion = (name: string) => read('scripts/stack/common.sh').match(new RegExp(`${name}="\\$\\{${name}:-([^}]+)\\}"`))?.[1];
/** `./host:/container[:ro]` → [host, container]. */
const bindMounts = (svc: Service) =>
  (svc.volumes ?? []).filter((v) => v.startsWith('./')).map((v) => v.split(':').slice(0, 2) as [string, string]);

describe('docker-compose.yml', () => {
  it('runs Kafka, Home Assistant, the registry and Node-RED', () => {
    assert.deepEqual(Object.keys(compose.services).sort(), ['homeassistant', 'kafka', 'node-red', 'registry']);
  });

  it('pins the same service versions as the local stack', () => {
    assert.equal(service('kafka').image, `apache/kafka:${stackVersion('KAFKA_VERSION')}`);
    // The image brings its own Python: the release the stack runs where Python 3.13 is found.
    const currentHa = read('scripts/stack/common.sh').match(/^HA_VERSION_CURRENT=(\S+)$/m)?.[1];
    assert.ok(currentHa, 'common.sh names the current Home Assistant release');
    assert.equal(service('homeassistant').image, `ghcr.io/home-assistant/home-assistant:${currentHa}`);
    assert.equal(service('registry').image, `apicurio/apicurio-registry:${stackVersion('REGISTRY_VERSION')}`);
  });

  it('publishes each service on loopback only, on the local stack ports', () => {
    const published = Object.fromEntries(Object.entries(compose.services).map(([name, svc]) => [name, svc.ports]));
    assert.deepEqual(published, {
      kafka: ['127.0.0.1:9092:9092'],
      registry: ['127.0.0.1:8081:8080'],
      homeassistant: ['127.0.0.1:8123:8123'],
      'node-red': ['127.0.0.1:1880:1880'],
    });
  });

  it('runs Kafka in KRaft mode with a listener for the compose network that Node-RED uses', () => {
    const env = service('kafka').environment ?? {};
    assert.equal(env.KAFKA_PROCESS_ROLES, 'broker,controller');
    assert.ok(!Object.keys(env).some((key) => /ZOOKEEPER/.test(key)));
    const advertised = String(env.KAFKA_ADVERTISED_LISTENERS).split(',');
    const brokers = String(service('node-red').environment?.STREAM_SMARTS_KAFKA_BROKERS);
    assert.ok(advertised.some((listener) => listener.endsWith(`//${brokers}`)), `${brokers} not advertised`);
    assert.ok(advertised.includes('EXTERNAL://127.0.0.1:9092'));
  });

  it('declares every named volume it mounts', () => {
    for (const svc of Object.values(compose.services)) {
      for (const volume of svc.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('./')) assert.ok(existsSync(join(root, source)), `${source} does not exist`);
        else assert.ok(source in compose.volumes, `volume ${source} not declared`);
      }
    }
  });

  it('builds Node-RED with this plugin and starts it with the demo flow and settings of npm start', () => {
    const nodeRed = service('node-red');
    assert.deepEqual(nodeRed.depends_on?.sort(), ['homeassistant', 'kafka', 'registry']);
    const dockerfile = read(nodeRed.build!.dockerfile);
    assert.match(dockerfile, /npm pack/);
    assert.match(dockerfile, /npm install .*stream-smarts\.tgz/);
    const entrypoint = dockerfile.match(/COPY .*?(docker\/\S+\.sh) /)?.[1];
    assert.ok(entrypoint && existsSync(join(root, entrypoint)), 'entrypoint script missing');
    const script = read(entrypoint);
    const mounts = new Map(bindMounts(nodeRed).map(([host, container]) => [container, host]));
    const toHost = (containerPath: string) => {
      for (const [container, host] of mounts) if (containerPath.startsWith(`${container}/`)) return join(host, containerPath.slice(container.length));
      assert.fail(`${containerPath} is not on a mounted checkout path`);
    };
    const flow = script.match(/--flow (\S+)/)?.[1];
    const settings = script.match(/--settings (\S+)/)?.[1];
    assert.equal(toHost(flow!), 'flows/stream-smarts-demo.json');
    assert.equal(toHost(settings!), 'scripts/node-red/settings.js');
    assert.ok(existsSync(join(root, toHost(script.match(/node (\S+prepare-userdir\.mjs)/)![1]!))));
  });

  it('gives Node-RED every variable the demo flow and the settings read, and no token in the file', () => {
    const env = service('node-red').environment ?? {};
    const flowText = read('flows/stream-smarts-demo.json');
    const wanted = new Set([...flowText.matchAll(/\$\{(STREAM_SMARTS_[A-Z_]+)\}/g)].map((m) => m[1]!));
    for (const name of read('scripts/node-red/prepare-userdir.mjs').matchAll(/\$\{(STREAM_SMARTS_[A-Z_]+)\}/g)) wanted.add(name[1]!);
    for (const name of read('scripts/node-red/settings.js').matchAll(/process\.env\.(STREAM_SMARTS_[A-Z_]+)/g)) {
      if (name[1] !== 'STREAM_SMARTS_LOG_LEVEL') wanted.add(name[1]!);
    }
    for (const name of wanted) assert.ok(name in env, `${name} not set for node-red`);
    assert.equal(env.STREAM_SMARTS_HA_TOKEN, '${HA_TOKEN:-}');
    assert.match(String(env.STREAM_SMARTS_CREDENTIAL_SECRET), /^\$\{NODE_RED_CREDENTIAL_SECRET:\?/);
    assert.ok(!/token"\s*:/i.test(flowText), 'the flow must not carry a token');
  });

  it('npm start runs the same flow and settings and sets the same variables', () => {
    const start = read('scripts/start.mjs');
    assert.match(start, /join\(root, 'flows', 'stream-smarts-demo\.json'\)/);
    assert.match(start, /join\(root, 'scripts', 'node-red', 'settings\.js'\)/);
    const composeEnv = Object.keys(service('node-red').environment ?? {}).filter((name) => name.startsWith('STREAM_SMARTS_'));
    for (const name of composeEnv) assert.match(start, new RegExp(`${name}:`), `npm start does not set ${name}`);
  });

  it('gives Home Assistant the demo meter, the notify service of the flow and the example automations', () => {
    const ha = service('homeassistant');
    const mounts = bindMounts(ha);
    const configMount = mounts.find(([, container]) => container === '/config/configuration.yaml');
    assert.ok(configMount);
    const config = parseYaml(read(configMount[0]), configMount[0]) as Record<string, unknown>;
    const flow = JSON.parse(read('flows/stream-smarts-demo.json')) as Array<Record<string, unknown>>;
    const meter = flow.find((node) => node.type === 'smarts-ha-meter');
    assert.ok(JSON.stringify(meter).includes('sensor.home_energy'));
    assert.ok(JSON.stringify(config.template).includes('"name":"Home energy"'));
    const notifyService = JSON.stringify(flow.find((node) => node.type === 'smarts-ha-notify')).match(/notify\.(\w+)/)?.[1];
    assert.ok((config.notify as Array<{ name: string }>).some((entry) => entry.name === notifyService));
    const include = (config['automation stream_smarts'] as { include: string }).include;
    const examples = mounts.find(([, container]) => include.startsWith(`${container}/`));
    assert.ok(examples, 'the automation file is not mounted');
    assert.ok(existsSync(join(root, examples[0], include.slice(examples[1].length))));
  });
});
