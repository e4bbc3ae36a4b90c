import { join } from 'node:path';
import { helper, loadNodeModules, type NodeModule } from '../../support/node-red-helper';
import { until } from './readings';

export interface NodesRun {
  inTopic: string;
  groupId: string;
  brokers: string[];
  modelDir: string;
  count: number;
  inFlight: number;
}

/**
 * smarts-kafka-in → smarts-anomaly in the real Node-RED runtime (node-red-node-test-helper), timed
 * from the first message the consumer node sends (its group join is not observable; this leaves
 * out one fetch) to the count-th scored message leaving the anomaly node (or failing in it: a
 * catch node counts those).
 */
export async function timeNodes(run: NodesRun): Promise<{ ms: number; rejected: number }> {
  let first = 0;
  let last = 0;
  let scored = 0;
  let rejected = 0;
  const arrived = (): void => {
    if (scored + rejected === run.count) last = performance.now();
  };
  await helper.load(
    [...loadNodeModules('smarts-kafka-broker', 'smarts-kafka-in', 'smarts-anomaly'), catchNodeModule()],
    [
      { id: 'tab', type: 'tab', label: 'bench' },
      { id: 'broker', type: 'smarts-kafka-broker', brokers: run.brokers.join(','), saslMechanism: 'none', logLevel: 'error' },
      { id: 'in', type: 'smarts-kafka-in', z: 'tab', broker: 'broker', topics: run.inTopic, groupId: run.groupId, fromBeginning: true, format: 'auto', maxInFlight: run.inFlight, wires: [['anomaly']] },
      { id: 'anomaly', type: 'smarts-anomaly', z: 'tab', modelDir: run.modelDir, saveModels: false, wires: [['scored'], []] },
      { id: 'scored', type: 'helper', z: 'tab' },
      { id: 'catcher', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['errors']] },
      { id: 'errors', type: 'helper', z: 'tab' },
    ],
  );
  try {
    helper.getNode('in').on('call:send', () => {
      first ||= performance.now();
    });
    helper.getNode('scored').on('input', () => {
      scored += 1;
      arrived();
    });
    helper.getNode('errors').on('input', () => {
      rejected += 1;
      arrived();
    });
    await until(() => last > 0, 600_000, `${run.count} scored messages out of the anomaly node (${scored} so far)`);
    return { ms: last - first, rejected };
  } finally {
    await helper.unload();
  }
}

function catchNodeModule(): NodeModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(join(require.resolve('@node-red/nodes/package.json'), '..', 'core', 'common', '25-catch.js')) as NodeModule;
}
