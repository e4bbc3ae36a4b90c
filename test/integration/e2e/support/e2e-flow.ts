import type { FlowNode } from './node-red';
import { loadDemoFlow } from './node-red';

export interface E2eFlowOptions {
  run: string;
  meterEntity: string;
  rawTopic: string;
  scoredTopic: string;
  anomalyTopic: string;
}

/**
 * The demo flow as shipped, pointed at this run's topics and meter: the meter emits each state
 * of an hourly-consumption sensor (raw), the consumer group is new, and the start-up training
 * from HA history is replaced by an HTTP endpoint the test posts a history array to (the
 * anomaly node's "train" input), answered with the training report from the anomaly node's output 3.
 */
export function e2eFlow(options: E2eFlowOptions): FlowNode[] {
  const flow = loadDemoFlow().filter((node) => !['ss_demo_learn', 'ss_demo_history', 'ss_demo_trained'].includes(node.id));
  const byId = (id: string): FlowNode => {
    const node = flow.find((candidate) => candidate.id === id);
    if (!node) throw new Error(`the demo flow has no node ${id}`);
    return node;
  };
  Object.assign(byId('ss_demo_meter'), { entities: options.meterEntity, output: 'raw' });
  Object.assign(byId('ss_demo_raw_out'), { topic: options.rawTopic });
  Object.assign(byId('ss_demo_raw_in'), { topics: options.rawTopic, groupId: `e2e-${options.run}`, fromBeginning: true });
  Object.assign(byId('ss_demo_scored_out'), { topic: options.scoredTopic });
  Object.assign(byId('ss_demo_anomaly_out'), { topic: options.anomalyTopic });
  const anomaly = byId('ss_demo_anomaly');
  anomaly.wires = [anomaly.wires?.[0] ?? [], anomaly.wires?.[1] ?? [], ['e2e_train_out']];
  const z = byId('ss_demo_meter').z;
  flow.push(
    { id: 'e2e_train_in', type: 'http in', z, name: '', url: `/e2e-${options.run}/train`, method: 'post', upload: false, swaggerDoc: '', x: 150, y: 470, wires: [['e2e_train']] },
    // an HTTP request has no topic: name it a training history
    { id: 'e2e_train', type: 'change', z, name: 'train', rules: [{ t: 'set', p: 'topic', pt: 'msg', to: 'train', tot: 'str' }], action: '', property: '', from: '', to: '', reg: false, x: 330, y: 470, wires: [['ss_demo_anomaly']] },
    { id: 'e2e_train_out', type: 'http response', z, name: '', statusCode: '', headers: {}, x: 860, y: 470, wires: [] },
  );
  return flow;
}
