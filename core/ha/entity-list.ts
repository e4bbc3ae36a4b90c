import type { EntityState } from './entity-stream';
import { locationDomains, numericState } from './meter-entity';

export interface EntityChoice {
  entity_id: string;
  name: string;
  device_class: string;
  unit: string;
  /** HA's state_class ('measurement', 'total_increasing', …) or ''. */
  state_class?: string;
}

interface RestState {
  entity_id: string;
  state: string;
  attributes?: Record<string, unknown>;
}

/**
 * The editor's picker: numeric sensors (meters, temperatures, humidity, … with a state class or a
 * number as state), and device trackers / persons. Given device classes, only sensors of those.
 */
export function meterCandidates(states: readonly (RestState | EntityState)[], deviceClasses?: readonly string[]): EntityChoice[] {
  const choices: EntityChoice[] = [];
  for (const state of states) {
    const attributes = state.attributes ?? {};
    const domain = state.entity_id.split('.')[0] ?? '';
    const deviceClass = typeof attributes.device_class === 'string' ? attributes.device_class : '';
    const stateClass = typeof attributes.state_class === 'string' ? attributes.state_class : '';
    const isLocation = (locationDomains as readonly string[]).includes(domain);
    const numeric = stateClass !== '' || numericState(state.state) !== undefined;
    const offered = deviceClasses ? deviceClasses.includes(deviceClass) : numeric;
    if (!isLocation && !(domain === 'sensor' && offered)) continue;
    const choice: EntityChoice = {
      entity_id: state.entity_id,
      name: typeof attributes.friendly_name === 'string' ? attributes.friendly_name : state.entity_id,
      device_class: isLocation ? domain : deviceClass,
      unit: typeof attributes.unit_of_measurement === 'string' ? attributes.unit_of_measurement : '',
    };
    if (stateClass) choice.state_class = stateClass;
    choices.push(choice);
  }
  return choices.sort((a, b) => a.entity_id.localeCompare(b.entity_id));
}

/** Entity ids from the editor's field: separated by commas, spaces or new lines, duplicates dropped. */
export function parseEntityIds(text: unknown): string[] {
  const items = Array.isArray(text) ? text.map(String) : String(text ?? '').split(/[\s,;]+/);
  return [...new Set(items.map((item) => item.trim()).filter(Boolean))];
}

/** The notify dialog's picker: HA's notify services (phones, persistent_notification…) from `get_services`. */
export function notifyServiceChoices(services: Readonly<Record<string, Readonly<Record<string, { name?: unknown }>>>>): EntityChoice[] {
  return Object.entries(services.notify ?? {})
    .map(([service, about]) => ({ entity_id: `notify.${service}`, name: typeof about.name === 'string' && about.name ? about.name : service, device_class: '', unit: '' }))
    .sort((a, b) => a.entity_id.localeCompare(b.entity_id));
}
