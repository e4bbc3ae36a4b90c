import { HaConfigError } from './errors';

/** Where and how to reach Home Assistant, resolved from the node's settings and the environment. */
export interface HaServerConfig {
  /** Base URL of the REST API host, without trailing slash (http://host:8123 or http://supervisor/core). */
  baseUrl: string;
  /** The websocket endpoint. */
  websocketUrl: string;
  token: string;
  /** True when running as a Home Assistant add-on (SUPERVISOR_TOKEN set). */
  addon: boolean;
}

export interface ServerSettings {
  url?: string;
  token?: string;
}

export const supervisorUrl = 'http://supervisor/core';

/**
 * Node-RED running as an HA add-on gets SUPERVISOR_TOKEN from the supervisor and reaches
 * Home Assistant through its proxy: REST at http://supervisor/core/api, websocket at
 * ws://supervisor/core/websocket. Explicit settings win only when both URL and token are given.
 */
export function resolveServerConfig(settings: ServerSettings, env: NodeJS.ProcessEnv = process.env): HaServerConfig {
  const url = settings.url?.trim() ?? '';
  const token = settings.token?.trim() ?? '';
  const supervisorToken = env.SUPERVISOR_TOKEN?.trim();
  if (supervisorToken && (!url || !token)) {
    return { baseUrl: supervisorUrl, websocketUrl: 'ws://supervisor/core/websocket', token: supervisorToken, addon: true };
  }
  if (!url) throw new HaConfigError('no Home Assistant URL configured');
  if (!token) throw new HaConfigError('no access token configured');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new HaConfigError(`'${url}' is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new HaConfigError(`the Home Assistant URL must start with http:// or https://, got ${parsed.protocol}`);
  }
  const baseUrl = `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
  const websocketUrl = `${baseUrl.replace(/^http/, 'ws')}/api/websocket`;
  return { baseUrl, websocketUrl, token, addon: false };
}
