import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { projectRoot, stackInfo } from '../../support/stack';
import { runId } from './support/ha-socket';
import { NodeRedProcess, type FlowNode } from './support/node-red';

// Every example flow, as a user imports it, deployed into a real Node-RED with the stack's
// addresses filled in (topics made unique, start-up injects off): all nodes are known and
// constructed, every Home Assistant server connects, and nothing logs an error.
describe('example flows in a real Node-RED', { timeout: 120_000 }, () => {
  const run = runId();
  let nodeRed: NodeRedProcess | undefined;
  after(async () => nodeRed?.stop());

  it('load, connect to the stack and log no error', async () => {
    const info = stackInfo();
    const flow: FlowNode[] = [];
    const files = readdirSync(join(projectRoot(), 'examples')).filter((name) => name.endsWith('.json')).sort();
    for (const file of files) {
      const tab = `tab_${file.replace(/\W/g, '_')}`;
      flow.push({ id: tab, type: 'tab', label: file });
      for (const node of JSON.parse(readFileSync(join(projectRoot(), 'examples', file), 'utf8')) as FlowNode[]) {
        // the examples share their config nodes (same ids), as Node-RED keeps one on importing several
        if (flow.some((existing) => existing.id === node.id)) continue;
        const copy: FlowNode = { ...node };
        if (copy.type === 'smarts-ha-server') copy.url = info.ha.url;
        else if (copy.type === 'smarts-kafka-broker') copy.brokers = info.kafka.brokers.join(',');
        else copy.z = tab;
        if (typeof copy.topic === 'string' && /_power|raw_mwh/.test(copy.topic)) copy.topic = `${copy.topic}-${run}`;
        if (typeof copy.topics === 'string') copy.topics = `${copy.topics}-${run}`;
        if (copy.type === 'smarts-kafka-in') copy.groupId = `examples-${run}`;
        if (copy.type === 'inject') copy.once = false;
        if (copy.type === 'smarts-ha-notify') copy.services = info.ha.notifyService ?? 'notify.stack_file';
        flow.push(copy);
      }
    }
    nodeRed = await NodeRedProcess.start(flow, {}, info);
    const servers = flow.filter((node) => node.type === 'smarts-ha-server').length;
    const deadline = Date.now() + 30_000;
    while ((nodeRed.log.match(/connected to Home Assistant/g) ?? []).length < servers && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
    assert.equal((nodeRed.log.match(/connected to Home Assistant/g) ?? []).length, servers, nodeRed.log);
    assert.doesNotMatch(nodeRed.log, /Waiting for missing types|Missing node modules/);
    // kafkajs reports a consumer group's routine rebalance as an error line: not a failure.
    const errors = nodeRed.log.split('\n').filter((line) => /\[error\]/.test(line) && !/group is rebalancing|does not host this topic-partition/.test(line));
    assert.deepEqual(errors, []);
    const deployed = (await (await fetch(`${nodeRed.url}/flows`)).json()) as FlowNode[];
    assert.equal(deployed.length, flow.length);
  });
});
