RED.nodes.registerType('smarts-ha-meter', {
  category: 'Stream Smarts',
  color: '#41BDF5',
  defaults: {
    name: { value: '' },
    server: { value: '', type: 'smarts-ha-server', required: true },
    // entity ids, separated by commas, spaces or semicolons; or an ${ENV_VAR} that Node-RED substitutes when the flow starts
    entities: { value: '', required: true, validate: function (v) { return /^\s*\$\{\w+\}\s*$/.test(v || '') || /^\s*[a-z0-9_]+\.[a-z0-9_]+([\s,;]+[a-z0-9_]+\.[a-z0-9_]+)*\s*$/.test(v || ''); } },
    interval: { value: '3600' },
    output: { value: 'intervals' },
    offlineGrace: { value: 15, validate: function (v) { var n = Number(v); return v !== '' && v !== null && isFinite(n) && n >= 0; } },
  },
  inputs: 1,
  outputs: 2,
  outputLabels: function (i) { return i === 0 ? 'readings (or the history answer)' : 'meter_offline / meter_online'; },
  icon: 'smarts-meter.svg',
  label: function () {
    return this.name || (this.entities ? this.entities.split(/[\s,;]+/)[0] : 'HA meter');
  },
  paletteLabel: 'Home Assistant meter',
  oneditprepare: function () {
    // the shared picker (smarts-ha-server's editor script): filters as you type, adds ids to the field
    globalThis.SmartsEntityPicker.attach({
      server: '#node-input-server',
      field: '#node-input-entities',
      row: '#node-input-entity-picker',
      source: 'entities',
      placeholder: this._('smarts-ha-meter.picker.choose'),
      none: this._('smarts-ha-meter.picker.none'),
    });
  },
});
