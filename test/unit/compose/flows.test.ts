import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { projectRoot } from '../../support/stack';
import { editorDefinition, type EditorDefinition } from './editor-defaults';

type FlowNode = Record<string, unknown> & { id: string; type: string; wires?: string[][] };

const root = projectRoot();
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } };
const ours = new Set(Object.keys(pkg['node-red'].nodes));
const core = new Set(['tab', 'comment', 'inject', 'debug', 'change', 'switch', 'function', 'http in', 'http response', 'catch', 'status', 'complete', 'link in', 'link out']);
const configTypes = new Set(['smarts-ha-server', 'smarts-kafka-broker']);
const configRefs = ['server', 'broker'];
/** Nodes that hold their parts until they have enough: after a Kafka consumer they need a timeout, or the in-flight bound deadlocks. */
const collecting = new Set(['join', 'batch']);

const files: Array<[string, FlowNode[]]> = [
  ['flows/stream-smarts-demo.json', JSON.parse(readFileSync(join(root, 'flows', 'stream-smarts-demo.json'), 'utf8')) as FlowNode[]],
  ...readdirSync(join(root, 'examples'))
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name): [string, FlowNode[]] => [`examples/${name}`, JSON.parse(readFileSync(join(root, 'examples', name), 'utf8')) as FlowNode[]]),
];

const editors = new Map<string, EditorDefinition>([...ours].map((type) => [type, editorDefinition(root, type)]));

/** The anomaly node's outputs that feed a node: 1 for every scored reading, 2 for anomalies only, 3 for training reports. */
function anomalyOutputsTo(flow: FlowNode[], id: string): number[] {
  return flow
    .filter((node) => node.type === 'smarts-anomaly')
    .flatMap((node) => (node.wires ?? []).flatMap((targets, index) => (targets.includes(id) ? [index + 1] : [])));
}

/** Core nodes that reshape messages: between two plugin nodes they would be glue the plugin should not need. */
const glue = new Set(['function', 'change', 'switch']);

/** Where a node's messages go: its wires, and for a link out the link in nodes it names. */
function targets(node: FlowNode): string[] {
  const links = node.type === 'link out' && Array.isArray(node.links) ? (node.links as string[]) : [];
  return [...(node.wires ?? []).flat(), ...links];
}

/** Whether a plugin node is reached from `start` through core nodes only, following messages forwards or backwards. */
function reachesPlugin(flow: FlowNode[], start: FlowNode, direction: 'forward' | 'backward'): boolean {
  const seen = new Set<string>([start.id]);
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift() as FlowNode;
    const next =
      direction === 'forward'
        ? targets(node).map((id) => flow.find((candidate) => candidate.id === id))
        : flow.filter((candidate) => targets(candidate).includes(node.id));
    for (const neighbour of next) {
      if (!neighbour || seen.has(neighbour.id)) continue;
      if (ours.has(neighbour.type)) return true;
      seen.add(neighbour.id);
      queue.push(neighbour);
    }
  }
  return false;
}

interface Box {
  node: FlowNode;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/**
 * The editor's box of a node, estimated: x, y are its centre; the width grows with the label
 * (about 8 px a character plus icon and padding, at least 100), the height with its outputs (15 px each, at least 30).
 */
function box(node: FlowNode): Box | undefined {
  if (typeof node.x !== 'number' || typeof node.y !== 'number') return undefined;
  const label = String(node.name || node.type);
  const width = node.type === 'link in' || node.type === 'link out' ? 30 : Math.max(100, Math.ceil((label.length * 8 + 50) / 20) * 20);
  const height = Math.max(30, (node.wires ?? []).length * 15);
  return { node, left: node.x - width / 2, right: node.x + width / 2, top: node.y - height / 2, bottom: node.y + height / 2 };
}

function downstream(flow: FlowNode[], fromId: string, seen = new Set<string>()): FlowNode[] {
  const node = flow.find((candidate) => candidate.id === fromId);
  const reached: FlowNode[] = [];
  for (const target of (node?.wires ?? []).flat()) {
    if (seen.has(target)) continue;
    seen.add(target);
    const next = flow.find((candidate) => candidate.id === target);
    if (next) reached.push(next, ...downstream(flow, target, seen));
  }
  return reached;
}

describe('demo flow and example flows', () => {
  it('ships the six examples', () => {
    assert.deepEqual(
      files.map(([name]) => name).filter((name) => name.startsWith('examples/')),
      ['01-full-pipeline', '02-home-assistant-only', '03-kafka-anomaly-notify', '04-train-from-ha-history', '05-feedback-loop', '06-temperature-watch'].map((name) => `examples/${name}.json`),
    );
  });

  it('the editors: one palette category for all nodes (config nodes under config), each with a palette label', () => {
    for (const [type, editor] of editors) {
      assert.equal(editor.category, configTypes.has(type) ? 'config' : 'Stream Smarts', `${type}'s category`);
      assert.ok(typeof editor.paletteLabel === 'string' && editor.paletteLabel !== '' && editor.paletteLabel !== type, `${type} has no palette label`);
    }
  });

  it('the examples share the demo\'s config nodes: one Home Assistant server, one Kafka broker, same ids, names and settings', () => {
    for (const type of configTypes) {
      const all = files.flatMap(([, flow]) => flow.filter((node) => node.type === type));
      assert.equal(new Set(all.map((node) => `${node.id} ${String(node.name)}`)).size, 1, `${type}: ${all.map((node) => node.id).join(', ')}`);
      const examples = files.filter(([name]) => name.startsWith('examples/')).flatMap(([, flow]) => flow.filter((node) => node.type === type));
      assert.equal(new Set(examples.map((node) => JSON.stringify(node))).size, 1, `${type} differs between examples`);
    }
  });

  for (const [name, flow] of files) {
    it(`${name}: opens with an explaining comment, uses known nodes, wires and config that exist, no secrets`, () => {
      const first = flow.find((node) => node.type !== 'tab');
      assert.equal(first?.type, 'comment', 'the first node must be a comment');
      assert.ok(String(first?.info ?? '').length > 100, 'the comment explains the flow in its info');
      const ids = new Set(flow.map((node) => node.id));
      assert.equal(ids.size, flow.length, 'duplicate node ids');
      for (const node of flow) {
        assert.ok(ours.has(node.type) || core.has(node.type), `${node.id}: unknown type ${node.type}`);
        for (const target of (node.wires ?? []).flat()) assert.ok(ids.has(target), `${node.id} wires to missing ${target}`);
        for (const ref of configRefs) {
          if (typeof node[ref] === 'string' && node[ref] !== '') {
            const config = flow.find((candidate) => candidate.id === node[ref]);
            assert.ok(config && configTypes.has(config.type), `${node.id}.${ref} → ${String(node[ref])} is not a config node here`);
          }
        }
        assert.ok(!('credentials' in node) && !('token' in node) && !('password' in node), `${node.id} carries a secret`);
      }
    });

    it(`${name}: every plugin node sets every property its editor declares, with a value its dialog accepts`, () => {
      for (const node of flow.filter((candidate) => ours.has(candidate.type))) {
        const editor = editors.get(node.type) as EditorDefinition;
        for (const [property, declared] of Object.entries(editor.defaults)) {
          const where = `${node.id}.${property}`;
          assert.ok(property in node, `${where} is missing (the editor's default: ${JSON.stringify(declared.value)})`);
          const value = node[property];
          if (declared.required) assert.ok(value !== '' && value !== undefined && value !== null, `${where} is required but empty`);
          if (declared.validate) assert.equal(declared.validate.call(node, value), true, `${where}: ${JSON.stringify(value)} does not validate`);
          const options = editor.options[property];
          if (options) assert.ok(options.includes(String(value)), `${where}: ${JSON.stringify(value)} is not one of ${options.join(', ')}`);
        }
      }
    });

    it(`${name}: notify nodes get every scored reading (anomaly output 1), anomaly_power only the anomalies (output 2)`, () => {
      for (const notify of flow.filter((node) => node.type === 'smarts-ha-notify')) {
        assert.deepEqual(anomalyOutputsTo(flow, notify.id), [1], `${notify.id} is not fed by the anomaly node's output 1 alone`);
      }
      for (const out of flow.filter((node) => node.type === 'smarts-kafka-out' && node.topic === 'anomaly_power')) {
        assert.deepEqual(anomalyOutputsTo(flow, out.id), [2], `${out.id} is not fed by the anomaly node's output 2 alone`);
      }
    });

    it(`${name}: no function, change or switch node between two plugin nodes (they connect without glue)`, () => {
      for (const node of flow.filter((candidate) => glue.has(candidate.type))) {
        const between = reachesPlugin(flow, node, 'backward') && reachesPlugin(flow, node, 'forward');
        assert.ok(!between, `${node.id} (${node.type} "${String(node.name ?? '')}") sits between plugin nodes`);
      }
    });

    it(`${name}: tidy layout: on the canvas, no two nodes or comments overlap, every wire reads left to right`, () => {
      const boxes = flow.map(box).filter((candidate): candidate is Box => candidate !== undefined);
      // a margin, so that boxes merely touching count as overlapping too
      const margin = 5;
      for (const { node, left, top } of boxes) assert.ok(left >= 0 && top >= 0, `${node.id} reaches past the canvas' top or left edge`);
      for (const [i, a] of boxes.entries()) {
        for (const b of boxes.slice(i + 1)) {
          if (a.node.z !== b.node.z) continue;
          const apart = a.right + margin <= b.left || b.right + margin <= a.left || a.bottom + margin <= b.top || b.bottom + margin <= a.top;
          assert.ok(apart, `${a.node.id} and ${b.node.id} overlap`);
        }
      }
      for (const source of boxes) {
        for (const targetId of (source.node.wires ?? []).flat()) {
          const target = boxes.find((candidate) => candidate.node.id === targetId);
          assert.ok(target && target.left > source.right, `the wire ${source.node.id} → ${targetId} does not read left to right`);
        }
      }
    });

    it(`${name}: no join or batch without a timeout after a Kafka consumer (commit-after-flow would deadlock)`, () => {
      for (const consumer of flow.filter((node) => node.type === 'smarts-kafka-in')) {
        for (const node of downstream(flow, consumer.id)) {
          if (!collecting.has(node.type)) continue;
          assert.ok(Number(node.timeout ?? node.interval ?? 0) > 0, `${node.id} (${node.type}) after ${consumer.id} holds its parts with no timeout`);
        }
      }
    });
  }
});
