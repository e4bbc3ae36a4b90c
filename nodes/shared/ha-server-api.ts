import type { Node } from 'node-red';
import type { HaClient } from '../../core/ha/client';

/** What a smarts-ha-server config node offers the meter and notify nodes. */
export interface HaServerNode extends Node<{ token?: string }> {
  /** Undefined when the configuration is unusable; `configError` then says why. */
  client?: HaClient;
  configError?: string;
}
