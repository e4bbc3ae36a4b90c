import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { hourMs } from '../../core/units';
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import type { Reading, ScoredReading } from '../../core/reading';
import type { FitReport } from '../../core/anomaly/training/fit';
import { anomalyRequest, type AnomalyRequest } from '../../core/anomaly/scoring/input';
import { defaultSeriesModels, formatMapping, parseMapping, shippedModelsDir } from '../../core/anomaly/scoring/mapping';
import { AnomalyService } from '../../core/anomaly/scoring/service';
import { readStateFile, writeStateFile } from './state-file';
import { trainedTopic } from '../../core/topics';
import { defaultSensitivity, parseSensitivity, type Sensitivity } from '../../core/anomaly/scoring/sensitivity';

interface AnomalyNodeDef extends NodeDef {
  modelDir: string;
  /** Absent in flows written before the field existed: the default mapping. */
  mapping?: string;
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
  /** Deployed anomaly nodes' services by node id: what the dialog's model chart reads. */
  const services = new Map<string, AnomalyService>();

  function SmartsAnomaly(this: Node, def: AnomalyNodeDef): void {
    RED.nodes.createNode(this, def);
    runAnomaly(this, def);
  }

  /** Node-RED's user directory (~/.node-red by default): trained models live there and survive a package update. */
  function userDir(): string {
    const configured = (RED.settings as { userDir?: unknown }).userDir;
    return typeof configured === 'string' && configured !== '' ? configured : join(homedir(), '.node-red');
  }

  function runAnomaly(node: Node, def: AnomalyNodeDef): void {
    const modelDir = def.modelDir ? resolve(userDir(), def.modelDir) : join(userDir(), 'stream-smarts', 'models');
    // a configuration error stays on the status: the node runs on with the defaults meanwhile
    let configError: string | null = null;
    let mapping: Record<string, string>;
    try {
      mapping = def.mapping === undefined ? { ...defaultSeriesModels } : parseMapping(def.mapping);
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
      fallbackModelDir: shippedModelsDir,
      mapping,
      learnDays: positive(def.learnDays, 14),
      retrainEveryMs: positive(def.retrainHours, 24) * hourMs,
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

    // learned state kept across a restart or redeploy, per node, beside the models (no series folder starts with '.')
    const stateFile = join(modelDir, '.state', `${node.id.replace(/[^\w.-]/g, '_')}.jsonl`);
    const restored = readStateFile(stateFile);
    for (const state of restored.states) service.restoreSeries(state);
    for (const problem of restored.problems) node.warn(`learned state not restored: ${problem}`);

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
      const score = last.status.lastScore === null ? '' : ` · last score ${last.status.lastScore.toFixed(2)}${last.status.late > 0 ? `, ${last.status.late} late` : ''}`;
      if (last.status.phase === 'learning') {
        node.status({ fill: 'yellow', shape: 'ring', text: `learning ${last.status.have}/${last.status.need}${score}` });
      } else {
        // red is for errors only: an anomaly is a warning, yellow
        const anomalous = (last.status.lastScore ?? 0) > 1;
        node.status(anomalous ? { fill: 'yellow', shape: 'dot', text: `anomaly${score}` } : { fill: 'green', shape: 'dot', text: `ready${score}` });
      }
    }
    showStatus();
    services.set(node.id, service);

    /** Output 3: a training report, from a history the node was sent or from background retraining. */
    const trainingMessage = (entityId: string, report: FitReport | null, background: boolean) => ({
      topic: trainedTopic,
      payload: { entity_id: entityId, background, ...report },
    });

    const stopRetraining = service.startRetraining({
      onProgress: () => showStatus(),
      onTrained: (entityId, report) => {
        showStatus();
        node.send([null, null, trainingMessage(entityId, report, true)]);
      },
      onError: (error) => {
        node.warn(`background training failed: ${error.message}`);
        showStatus();
      },
    });

    /** Trains each series of a history in turn, a report for each on output 3; fails naming every series that could not train. */
    async function trainEach(histories: Reading[][], msg: NodeMessageInFlow, send: (messages: Array<NodeMessage | null>) => void): Promise<void> {
      const failures: string[] = [];
      for (const history of histories) {
        const entityId = (history[0] as Reading).entity_id;
        try {
          const report = await service.train(history, () => showStatus());
          send([null, null, { ...msg, ...trainingMessage(entityId, report, false) }]);
        } catch (error) {
          failures.push(error instanceof Error ? error.message : String(error));
        }
        showStatus();
      }
      if (failures.length > 0) throw new Error(failures.join('; '));
    }

    function fail(done: (error?: Error) => void, error: unknown): void {
      const failure = error instanceof Error ? error : new Error(String(error));
      node.status({ fill: 'red', shape: 'ring', text: `bad input: ${failure.message.slice(0, 60)}` });
      done(failure);
    }

    node.on('input', (msg: NodeMessageInFlow, send, done) => {
      let request: AnomalyRequest;
      try {
        if (Buffer.isBuffer(msg.payload)) {
          throw new Error(`msg.payload is ${msg.payload.length} bytes (a Buffer), not a reading: decode it first (Kafka in's format, or a JSON node)`);
        }
        request = anomalyRequest(msg.topic, msg.payload);
      } catch (error) {
        fail(done, error);
        return;
      }
      if (request.kind === 'feedback') {
        const { feedback } = request;
        if (!service.feedback(feedback)) node.warn(`feedback for ${feedback.entity_id} at ${new Date(feedback.ts).toISOString()}: no such reading in the history`);
        done();
        return;
      }
      if (request.kind === 'train') {
        void trainEach(request.histories, msg, send).then(
          () => done(),
          (error: unknown) => fail(done, error),
        );
        return;
      }
      const { batch } = request;
      service
        .score(request.readings)
        .then((scored: ScoredReading[]) => {
          showStatus();
          const anomalies = scored.filter((reading) => reading.anomaly);
          if (batch) {
            send([{ ...msg, payload: scored }, anomalies.length > 0 ? { ...msg, payload: anomalies } : null, null]);
          } else {
            const one = scored[0] as ScoredReading;
            send([{ ...msg, payload: one }, one.anomaly ? { ...msg, payload: one } : null, null]);
          }
          done();
        })
        .catch((error: unknown) => fail(done, error));
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      stopRetraining();
      if (services.get(node.id) === service) services.delete(node.id);
      try {
        const live = new Set(service.seriesIds());
        const states = [...live].flatMap((entityId) => service.snapshotSeries(entityId) ?? []);
        states.push(...restored.states.filter((state) => !live.has(state.entityId)));
        if (states.length > 0 || restored.states.length > 0) writeStateFile(stateFile, states);
      } catch (error) {
        node.warn(`learned state not saved to ${stateFile}: ${(error as Error).message}`);
      }
      done();
    });
  }

  // the dialog's model chart: the series a deployed node has seen, and what it learnt for one
  RED.httpAdmin.get('/smarts-anomaly/:id/series', RED.auth.needsPermission('smarts-anomaly.read'), (req, res) => {
    const service = services.get(String(req.params.id ?? ''));
    if (!service) {
      res.status(404).json({ error: 'deploy this anomaly node first' });
      return;
    }
    res.json(service.seriesIds());
  });
  RED.httpAdmin.get('/smarts-anomaly/:id/series/:entity', RED.auth.needsPermission('smarts-anomaly.read'), (req, res) => {
    const service = services.get(String(req.params.id ?? ''));
    if (!service) {
      res.status(404).json({ error: 'deploy this anomaly node first' });
      return;
    }
    const entityId = String(req.params.entity ?? '');
    res.json({ ...service.describeSeries(entityId), preview: service.previewSensitivities(entityId) });
  });

  // the editor's default for a new node's mapping, from the same constant
  RED.nodes.registerType('smarts-anomaly', SmartsAnomaly, {
    settings: { smartsAnomalyMapping: { value: formatMapping(defaultSeriesModels), exportable: true } },
  });
};
