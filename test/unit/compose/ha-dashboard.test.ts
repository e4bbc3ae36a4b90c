import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { scoreSensorId } from '../../../core/ha/notify/alert-plan';
import { projectRoot } from '../../support/stack';
import { parseYaml } from './yaml';

interface Card {
  type: string;
  entity?: string;
  entities?: Array<string | { entity: string }>;
  card?: Card;
  content?: string;
  conditions?: Array<{ entity: string; state: string }>;
}
interface TemplateEntry {
  trigger?: unknown[];
  sensor?: Array<{ name: string; state: string; unique_id: string }>;
  binary_sensor?: Array<{ name: string; state: string; unique_id: string }>;
}

const read = (path: string): string => readFileSync(join(projectRoot(), path), 'utf8');
const shippedCards = new Set(['conditional', 'markdown', 'history-graph', 'statistics-graph', 'gauge', 'entities', 'logbook']);
const scoreSensor = scoreSensorId('sensor.home_energy');
const entityIdOf = (name: string): string => `sensor.${name.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`;

describe('the Stream Smarts dashboard and its template sensors', () => {
  const dashboard = parseYaml(read('home-assistant/dashboard.yaml')) as { views: Array<{ path: string; cards: Card[] }> };
  const cards = dashboard.views[0]!.cards;
  const stackTemplates = (parseYaml(read('scripts/stack/ha/configuration.yaml.in').replace(/@[A-Z_]+@/g, '0')) as { template: TemplateEntry[] }).template;
  const exampleTemplates = parseYaml(read('home-assistant/templates.yaml')) as TemplateEntry[];

  it('uses only cards that ship with Home Assistant', () => {
    for (const card of cards) assert.ok(shippedCards.has(card.type) && (!card.card || shippedCards.has(card.card.type)), `card ${card.type}`);
  });

  it("charts the hour's use against what was expected, and the score against its threshold of 1", () => {
    const graphs = cards.filter((card) => card.type === 'history-graph').map((card) => (card.entities ?? []).map((entity) => (typeof entity === 'string' ? entity : entity.entity)));
    assert.deepEqual(graphs, [
      ['sensor.home_energy_last_hour', 'sensor.home_energy_expected'],
      [scoreSensor, 'sensor.anomaly_threshold'],
    ]);
  });

  it("shows the meter offline, and the latest alerts", () => {
    const offline = cards.filter((card) => card.type === 'conditional').map((card) => card.conditions?.[0]);
    assert.deepEqual(offline, [
      { entity: 'binary_sensor.home_energy_meter_offline', state: 'on' },
      { entity: 'sensor.home_energy', state: 'unavailable' },
    ]);
    assert.ok(cards.some((card) => card.type === 'markdown' && card.content?.includes("state_attr('sensor.stream_smarts_last_alert', 'recent')")));
  });

  it("every sensor it reads exists: the stack's template sensors, which home-assistant/templates.yaml repeats for a user's own Home Assistant", () => {
    assert.deepEqual(stackTemplates.slice(1), exampleTemplates);
    const names = exampleTemplates.flatMap((entry) => [
      ...(entry.sensor ?? []).map((sensor) => entityIdOf(sensor.name)),
      ...(entry.binary_sensor ?? []).map((sensor) => entityIdOf(sensor.name).replace(/^sensor\./, 'binary_sensor.')),
    ]);
    assert.deepEqual(names, ['sensor.home_energy_last_hour', 'sensor.home_energy_expected', 'sensor.anomaly_threshold', 'sensor.stream_smarts_last_alert', 'binary_sensor.home_energy_meter_offline']);
    assert.ok(read('home-assistant/templates.yaml').includes(scoreSensor));
  });
});
