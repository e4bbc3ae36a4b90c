RED.nodes.registerType('smarts-anomaly', {
  category: 'Stream Smarts',
  color: '#E2D96E',
  defaults: {
    name: { value: '' },
    modelDir: { value: '' },
    // the runtime's default mapping (core/anomaly/scoring/mapping.ts), exported to the editor as a node setting
    mapping: { value: RED.settings.smartsAnomalyMapping === undefined ? '' : RED.settings.smartsAnomalyMapping },
    learnDays: { value: 14, required: true, validate: RED.validators.number() },
    retrainHours: { value: 24, required: true, validate: RED.validators.number() },
    saveModels: { value: true },
    sensitivity: { value: 'normal' },
  },
  inputs: 1,
  outputs: 3,
  outputLabels: ['every scored reading', 'anomalies only', 'training reports'],
  icon: 'smarts-anomaly.svg',
  paletteLabel: 'anomaly',
  label: function () {
    return this.name || 'anomaly';
  },
  labelStyle: function () {
    return this.name ? 'node_label_italic' : '';
  },
});
