import type { ReadingScorer } from '../../../core/worker/scorer';
import { startWorker } from '../../../core/worker/worker';
import { until } from './readings';

export interface WorkerRun {
  inTopic: string;
  outTopic: string;
  groupId: string;
  brokers: string[];
  count: number;
  inFlight: number;
}

/**
 * `startWorker` over the input topic, timed from joining the group (or, failing that hook, the
 * first reading handed to the scorer) to the count-th result acknowledged by the broker on the
 * out topic (scored or rejected).
 */
export async function timeWorker(run: WorkerRun, scorer: ReadingScorer): Promise<{ ms: number; rejected: number }> {
  let first = 0;
  const timed: ReadingScorer = {
    score: (reading) => {
      first ||= performance.now();
      return scorer.score(reading);
    },
    close: () => scorer.close?.() ?? Promise.resolve(),
  };
  const worker = await startWorker(
    { broker: { brokers: run.brokers }, inTopic: run.inTopic, outTopic: run.outTopic, groupId: run.groupId, fromBeginning: true, maxInFlight: run.inFlight },
    {
      scorer: timed,
      onJoined: () => {
        first ||= performance.now();
      },
    },
  );
  try {
    await until(() => worker.stats.scored + worker.stats.rejected >= run.count, 600_000, `${run.count} results from the worker`);
    return { ms: performance.now() - first, rejected: worker.stats.rejected };
  } finally {
    await worker.stop();
  }
}
