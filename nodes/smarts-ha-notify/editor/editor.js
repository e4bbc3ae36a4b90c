RED.nodes.registerType('smarts-ha-notify', {
  category: 'Stream Smarts',
  color: '#41BDF5',
  defaults: {
    name: { value: '' },
    server: { value: '', type: 'smarts-ha-server', required: true },
    services: { value: '' },
    message: { value: '' },
    title: { value: '' },
    group: { value: 'stream_smarts' },
    urgent: { value: false },
    actions: { value: true },
    persistent: { value: true },
    event: { value: true },
    sensor: { value: true },
    // minutes, or an ${ENV_VAR} that Node-RED substitutes when the flow starts
    cooldown: { value: 60, validate: function (v) { return /^\s*(\d+(\.\d*)?|\.\d+|\$\{\w+\})?\s*$/.test(String(v)); } },
    quietStart: { value: '', validate: function (v) { return !v || /^\d{1,2}:\d{2}$/.test(v); } },
    quietEnd: { value: '', validate: function (v) { return !v || /^\d{1,2}:\d{2}$/.test(v); } },
    queueSize: { value: 100, validate: function (v) { return /^\s*(\d+|\$\{\w+\})?\s*$/.test(String(v)); } },
  },
  inputs: 1,
  outputs: 2,
  outputLabels: function (i) { return i === 0 ? 'scored reading + alert outcome' : 'feedback from the phone'; },
  icon: 'smarts-notify.svg',
  align: 'right',
  label: function () {
    return this.name || 'HA notify';
  },
  paletteLabel: 'Home Assistant notify',
  oneditprepare: function () {
    // the shared picker (smarts-ha-server's editor script), over the server's notify services
    globalThis.SmartsEntityPicker.attach({
      server: '#node-input-server',
      field: '#node-input-services',
      row: '#node-input-services-picker',
      source: 'notify-services',
      placeholder: 'type to filter notify services (phones, persistent…)',
      none: 'this Home Assistant has no notify services',
    });
  },
});
