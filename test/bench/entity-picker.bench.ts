import { stackInfo } from '../support/stack';
import { NodeRedProcess } from '../integration/e2e/support/node-red';

// The editor's entity picker with thousands of entities: 3,000 sensors created in the stack's
// real Home Assistant (REST POST /api/states), the picker endpoint's answer time through a real
// Node-RED process (aim: under 300 ms). Measures; asserts nothing. The bench entities are removed after.
const count = Number(process.argv[process.argv.indexOf('--count') + 1]) || 3000;
const rounds = 20;
const { url, token } = stackInfo().ha;
const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };

async function inBatches(total: number, batch: number, task: (index: number) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < total; start += batch) {
    await Promise.all(Array.from({ length: Math.min(batch, total - start) }, (_, offset) => task(start + offset)));
  }
}

async function createEntities(): Promise<void> {
  await inBatches(count, 25, async (index) => {
    const response = await fetch(`${url}/api/states/sensor.bench_${index}`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ state: String(index), attributes: { device_class: index % 3 === 0 ? 'power' : 'energy', unit_of_measurement: index % 3 === 0 ? 'W' : 'kWh', friendly_name: `Bench meter ${index}` } }),
    });
    if (!response.ok) throw new Error(`POST sensor.bench_${index}: ${response.status}`);
  });
}

async function removeEntities(): Promise<void> {
  await inBatches(count, 25, (index) => fetch(`${url}/api/states/sensor.bench_${index}`, { method: 'DELETE', headers }));
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] as number;
}

async function main(): Promise<void> {
  const began = Date.now();
  await createEntities();
  console.log(`created ${count} entities in Home Assistant in ${((Date.now() - began) / 1000).toFixed(1)} s`);
  const nodeRed = await NodeRedProcess.start(
    [
      { id: 'bench_tab', type: 'tab', label: 'bench' },
      { id: 'bench_ha', type: 'smarts-ha-server', name: 'HA', url: '${STREAM_SMARTS_HA_URL}', heartbeat: 30, insecureTls: false },
      { id: 'bench_meter', type: 'smarts-ha-meter', z: 'bench_tab', server: 'bench_ha', entities: 'sensor.bench_1', interval: '3600', output: 'intervals', offlineGrace: 15, wires: [[], []] },
    ],
    {},
    stackInfo(),
  );
  try {
    const endpoint = `${nodeRed.url}/smarts-ha-server/bench_ha/entities`;
    const deadline = Date.now() + 30_000;
    while ((await fetch(endpoint)).status !== 200) {
      if (Date.now() > deadline) throw new Error('the server node did not connect to Home Assistant');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const times: number[] = [];
    let listed = 0;
    let bytes = 0;
    for (let round = 0; round < rounds; round += 1) {
      const start = process.hrtime.bigint();
      const response = await fetch(endpoint);
      const body = await response.text();
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
      bytes = body.length;
      listed = (JSON.parse(body) as unknown[]).length;
    }
    times.sort((a, b) => a - b);
    console.log(`picker endpoint (GET /smarts-ha-server/:id/entities), ${count} bench entities + the stack's own: ${listed} listed, ${(bytes / 1024).toFixed(0)} KiB`);
    console.log(`  answer time over ${rounds} requests: median ${percentile(times, 0.5).toFixed(1)} ms, p95 ${percentile(times, 0.95).toFixed(1)} ms, max ${(times.at(-1) as number).toFixed(1)} ms (aim < 300 ms)`);
  } finally {
    await nodeRed.stop();
    await removeEntities();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
