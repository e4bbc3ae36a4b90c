// Node-RED settings for Stream Smarts, shared by `npm start` (scripts/start.mjs) and
// docker-compose.yml. Everything that differs between the two comes from the environment:
//   STREAM_SMARTS_CREDENTIAL_SECRET  encrypts flows_cred.json (required; npm start generates one)
//   STREAM_SMARTS_NODE_RED_HOST      address to listen on (default 127.0.0.1; 0.0.0.0 in Docker)
//   STREAM_SMARTS_NODE_RED_PORT      port (default 1880)
//   STREAM_SMARTS_LOG_LEVEL          Node-RED log level (default info)
// The demo flow's config nodes read STREAM_SMARTS_HA_URL, STREAM_SMARTS_HA_TOKEN,
// STREAM_SMARTS_KAFKA_BROKERS and STREAM_SMARTS_REGISTRY_URL as ${...} properties, so no URL
// or secret is ever written into the flow (see scripts/node-red/prepare-userdir.mjs).
const credentialSecret = process.env.STREAM_SMARTS_CREDENTIAL_SECRET;
if (!credentialSecret) {
  throw new Error('STREAM_SMARTS_CREDENTIAL_SECRET is not set: Node-RED needs it to encrypt credentials (npm start generates one)');
}

module.exports = {
  uiHost: process.env.STREAM_SMARTS_NODE_RED_HOST || '127.0.0.1',
  uiPort: Number(process.env.STREAM_SMARTS_NODE_RED_PORT || 1880),
  flowFile: 'flows.json',
  flowFilePretty: true,
  credentialSecret,
  // The meter node keeps the last interval it emitted per entity in node context: persist it
  // so a restart neither skips nor repeats an hour.
  contextStorage: {
    default: { module: 'localfilesystem' },
  },
  logging: {
    console: { level: process.env.STREAM_SMARTS_LOG_LEVEL || 'info', metrics: false, audit: false },
  },
  editorTheme: {
    page: { title: 'Stream Smarts' },
    header: { title: 'Stream Smarts' },
    projects: { enabled: false },
    tours: false,
  },
  externalModules: { autoInstall: false },
  functionExternalModules: false,
  exportGlobalContextKeys: false,
  diagnostics: { enabled: true, ui: true },
  // No update checks: the local demo has no route out, and no consent dialog on first open.
  telemetry: { enabled: false },
  runtimeState: { enabled: false, ui: false },
};
