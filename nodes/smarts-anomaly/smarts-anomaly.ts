import { resolve } from 'node:path';
import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { parseReading, ReadingError, type Reading, type ScoredReading } from '../../core/reading';
import { AnomalyService, parseMapping } from '../../core/anomaly/service';
import { parseFeedback } from '../../core/anomaly/feedback';
import { defaultSensitivity, parseSensitivity, type Sensitivity } from '../../core/anomaly/sensitivity';

interface AnomalyNodeDef extends NodeDef {
  modelDir: string;
  mapping: string;
  learnDays: number | string;
  retrainHours: number | string;
  saveModels: boolean;
  sensitivity?: string;
}

function positive(value: number | string | undefined, fallback: number): number {
  const number = Number(value);
  return Number.isFinite(number) && number > 0 ? number : fallback;
}

export = function (RED: NodeAPI): void {
  function SmartsAnomaly(this: Node, def: AnomalyNodeDef): void {
    RED.nodes.createNode(this, def);
    runAnomaly(this, def);
  }

  function runAnomaly(node: Node, def: AnomalyNodeDef): void {
    const packageModels = resolve(__dirname, '..', '..', '..', 'models');
    const modelDir = def.modelDir ? resolve(def.modelDir) : packageModels;
    // a configuration error stays on the status: the node runs on with the defaults meanwhile
    let configError: string | null = null;
    let mapping: Record<string, string>;
    try {
      mapping = parseMapping(def.mapping ?? 'seed.power=seed-hour-profile');
    } catch (error) {
      configError = 'bad series → model mapping';
      node.error(`${configError}: ${(error as Error).message}`);
      mapping = {};
    }
    let sensitivity: Sensitivity = defaultSensitivity;
    try {
      sensitivity = parseSensitivity(def.sensitivity);
    } catch (error) {
      configError = (error as Error).message;
      node.error(configError);
    }
    let announced = false;
    const service = new AnomalyService({
      modelDir,
      mapping,
      learnDays: positive(def.learnDays, 14),
      retrainEveryMs: positive(def.retrainHours, 24) * 3_600_000,
      save: def.saveModels !== false,
      sensitivity,
      logger: {
        info: (message) => {
          if (!announced) node.log(message);
          announced = true;
        },
        warn: (message) => node.warn(message),
      },
    });

    function showStatus(): void {
      if (configError) {
        node.status({ fill: 'red', shape: 'ring', text: configError.slice(0, 60) });
        return;
      }
      const status = service.status();
      if (status.training !== null) {
        node.status({ fill: 'blue', shape: 'ring', text: `training ${status.training} ${Math.round((status.trainingProgress ?? 0) * 100)}%` });
        return;
      }
      const last = status.last;
      if (!last) {
        node.status({ fill: 'grey', shape: 'ring', text: 'waiting for readings' });
        return;
      }
      const score = last.status.lastScore === null ? '' : ` · last score ${last.status.lastScore.toFixed(2)}`;
      if (last.status.phase === 'learning') {
        node.status({ fill: 'yellow', shape: 'ring', text: `learning ${last.status.have}/${last.status.need}${score}` });
      } else {
        const anomalous = (last.status.lastScore ?? 0) > 1;
        node.status({ fill: anomalous ? 'red' : 'green', shape: 'dot', text: `ready${score}` });
      }
    }
    showStatus();

    // Background retraining: checked every minute; training yields between epochs, so scoring goes on.
    const timer = setInterval(() => {
      const started = service.retrainDue(Date.now(), () => showStatus(), (error) => {
        node.warn(`background training failed: ${error.message}`);
        showStatus();
      });
      if (started > 0) showStatus();
    }, 60_000);

    function fail(done: (error?: Error) => void, error: Error): void {
      node.status({ fill: 'red', shape: 'ring', text: `bad input: ${error.message.slice(0, 60)}` });
      done(error);
    }

    node.on('input', (msg: NodeMessageInFlow, send, done) => {
      const topic = typeof msg.topic === 'string' ? msg.topic : '';
      if (topic === 'feedback') {
        let feedback;
        try {
          feedback = parseFeedback(msg.payload);
        } catch (error) {
          fail(done, error as Error);
          return;
        }
        const applied = service.feedback(feedback);
        if (!applied) node.warn(`feedback for ${feedback.entity_id} at ${new Date(feedback.ts).toISOString()}: no such reading in the history`);
        done();
        return;
      }
      let readings: Reading[];
      try {
        const items = Array.isArray(msg.payload) ? (msg.payload as unknown[]) : [msg.payload];
        readings = items.map((item, index) => {
          try {
            return parseReading(item);
          } catch (error) {
            throw new ReadingError(Array.isArray(msg.payload) ? `item ${index}: ${(error as Error).message}` : (error as Error).message);
          }
        });
        if (readings.length === 0) throw new ReadingError('empty array: nothing to score');
      } catch (error) {
        fail(done, error as Error);
        return;
      }
      if (topic === 'train') {
        service
          .train(readings, () => showStatus())
          .then((report) => {
            showStatus();
            send([{ ...msg, topic: 'trained', payload: report }, null]);
            done();
          })
          .catch((error: unknown) => fail(done, error instanceof Error ? error : new Error(String(error))));
        return;
      }
      service
        .score(readings)
        .then((scored: ScoredReading[]) => {
          showStatus();
          const anomalies = scored.filter((reading) => reading.anomaly);
          if (Array.isArray(msg.payload)) {
            send([{ ...msg, payload: scored }, anomalies.length > 0 ? { ...msg, payload: anomalies } : null]);
          } else {
            const one = scored[0] as ScoredReading;
            send([{ ...msg, payload: one }, one.anomaly ? { ...msg, payload: one } : null]);
          }
          done();
        })
        .catch((error: unknown) => fail(done, error instanceof Error ? error : new Error(String(error))));
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      clearInterval(timer);
      done();
    });
  }

  RED.nodes.registerType('smarts-anomaly', SmartsAnomaly);
};
