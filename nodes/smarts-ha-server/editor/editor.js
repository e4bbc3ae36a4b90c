RED.nodes.registerType('smarts-ha-server', {
  category: 'config',
  defaults: {
    name: { value: '' },
    url: { value: 'http://homeassistant.local:8123' },
    heartbeat: { value: 30, validate: RED.validators.number(true) },
    insecureTls: { value: false },
  },
  credentials: {
    token: { type: 'password' },
  },
  paletteLabel: 'Home Assistant server',
  label: function () {
    return this.name || this.url || 'Home Assistant';
  },
});
