import { embedNodeRed, type FlowNode } from './node-red';
import { until } from './readings';

export interface NodesRun {
  inTopic: string;
  groupId: string;
  brokers: string[];
  /** The anomaly node's model directory (saveModels off: nothing is written there). */
  modelDir: string;
  count: number;
  inFlight: number;
  /** Called at kafka-in's first delivery and when the count-th message reached a counter (a profiler's window). */
  onFirst?: () => void;
  onLast?: () => void;
}

const counterType = 'stream-smarts-bench-counter';

/**
 * The bench's own sink: counts what reaches it (by its `role`, through the settings key
 * `streamSmartsBench`) and calls done(), so kafka-in's flow-ack mode sees each message finished.
 */
const counterNode = `module.exports = function (RED) {
  const bench = RED.settings.streamSmartsBench;
  function BenchCounter(def) {
    RED.nodes.createNode(this, def);
    const role = def.role;
    this.on('input', function (_msg, _send, done) {
      bench.arrived(role);
      done();
    });
  }
  RED.nodes.registerType('${counterType}', BenchCounter);
};
`;

export function nodesFlow(run: Pick<NodesRun, 'brokers' | 'inTopic' | 'groupId' | 'inFlight' | 'modelDir'>): FlowNode[] {
  // A node on a tab without x and y is taken for a config node by the runtime: every flow node has a place.
  let x = 0;
  const at = (node: FlowNode): FlowNode => ({ ...node, x: (x += 160), y: 80 });
  return [
    { id: 'tab', type: 'tab', label: 'bench' },
    { id: 'broker', type: 'smarts-kafka-broker', brokers: run.brokers.join(','), saslMechanism: 'none', logLevel: 'error' },
    at({ id: 'in', type: 'smarts-kafka-in', z: 'tab', broker: 'broker', topics: run.inTopic, groupId: run.groupId, fromBeginning: true, format: 'auto', ackMode: 'flow', maxInFlight: run.inFlight, wires: [['anomaly']] }),
    at({ id: 'anomaly', type: 'smarts-anomaly', z: 'tab', modelDir: run.modelDir, saveModels: false, wires: [['scored'], []] }),
    at({ id: 'scored', type: counterType, z: 'tab', role: 'scored', wires: [] }),
    at({ id: 'catcher', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['rejected']] }),
    at({ id: 'rejected', type: counterType, z: 'tab', role: 'rejected', wires: [] }),
  ];
}

/**
 * smarts-kafka-broker + smarts-kafka-in (flow ack) → smarts-anomaly → a counting node, in the
 * real Node-RED runtime embedded in this process (./node-red.ts). Timed from kafka-in's first
 * delivery (a runtime onSend hook that removes itself; its group join is not observable, so this
 * leaves out one fetch) to the count-th message reaching a counter: scored (the anomaly node's
 * first output) or rejected (a catch node's).
 */
export async function timeNodes(run: NodesRun): Promise<{ ms: number; rejected: number }> {
  let first = 0;
  let last = 0;
  let scored = 0;
  let rejected = 0;
  const bench = {
    arrived: (role: string): void => {
      if (role === 'rejected') rejected += 1;
      else scored += 1;
      if (scored + rejected === run.count) {
        last = performance.now();
        run.onLast?.();
      }
    },
  };
  const red = await embedNodeRed(nodesFlow(run), { 'bench-counter': counterNode }, { streamSmartsBench: bench });
  const firstHook = 'onSend.stream-smarts-bench-first';
  red.hooks.add(firstHook, (events) => {
    if (first === 0 && Array.isArray(events) && events.some((event: { source?: { id?: string } }) => event.source?.id === 'in')) {
      first = performance.now();
      red.hooks.remove(firstHook);
      run.onFirst?.();
    }
  });
  try {
    const withLogs = (error: Error): never => {
      throw new Error(`${error.message}${red.logs.length > 0 ? `\nNode-RED logged:\n${red.logs.slice(-20).join('\n')}` : ''}`);
    };
    await red.start();
    // An error before the first delivery (a flow that does not start, a node type not loaded) ends the wait.
    await until(() => first > 0 || red.errors > 0, 120_000, 'the first message out of smarts-kafka-in').catch(withLogs);
    if (first === 0) withLogs(new Error('Node-RED logged an error before smarts-kafka-in delivered anything'));
    await until(() => last > 0, 600_000, `${run.count} scored messages at the counter (${scored} scored, ${rejected} rejected so far)`).catch(withLogs);
    return { ms: last - first, rejected };
  } finally {
    await red.stop();
  }
}
