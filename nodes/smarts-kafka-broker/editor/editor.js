RED.nodes.registerType('smarts-kafka-broker', {
  category: 'config',
  defaults: {
    name: { value: '' },
    // host:port, separated by commas or spaces; or an ${ENV_VAR} that Node-RED substitutes when the flow starts
    brokers: { value: '127.0.0.1:9092', required: true, validate: function (v) { return /^\s*\$\{\w+\}\s*$/.test(v || '') || /^\s*(\[[^\]]+\]|[^:,\s]+):\d{1,5}(\s*[,\s]\s*(\[[^\]]+\]|[^:,\s]+):\d{1,5})*\s*$/.test(v || ''); } },
    clientId: { value: '' },
    tls: { value: false },
    tlsVerify: { value: true },
    tlsCa: { value: '' },
    tlsCert: { value: '' },
    saslMechanism: { value: 'none' },
    registryUrl: { value: '' },
    logLevel: { value: 'warn' },
  },
  credentials: {
    username: { type: 'text' },
    password: { type: 'password' },
    tlsKey: { type: 'password' },
    tlsPassphrase: { type: 'password' },
    registryUsername: { type: 'text' },
    registryPassword: { type: 'password' },
  },
  paletteLabel: 'Kafka broker',
  label: function () {
    return this.name || this.brokers || 'Kafka broker';
  },
  oneditprepare: function () {
    function toggleTls() {
      $('.smarts-kafka-broker-tls').toggle($('#node-config-input-tls').is(':checked'));
    }
    function toggleSasl() {
      $('.smarts-kafka-broker-sasl').toggle($('#node-config-input-saslMechanism').val() !== 'none');
    }
    $('#node-config-input-tls').on('change', toggleTls);
    $('#node-config-input-saslMechanism').on('change', toggleSasl);
    toggleTls();
    toggleSasl();
  },
});
