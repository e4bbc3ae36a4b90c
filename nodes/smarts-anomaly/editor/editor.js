RED.nodes.registerType('smarts-anomaly', {
  category: 'stream smarts',
  color: '#E2D96E',
  defaults: {
    name: { value: '' },
    modelDir: { value: '' },
    mapping: { value: 'seed.power=seed-hour-profile' },
    learnDays: { value: 14, required: true, validate: RED.validators.number() },
    retrainHours: { value: 24, required: true, validate: RED.validators.number() },
    saveModels: { value: true },
    sensitivity: { value: 'normal' },
  },
  inputs: 1,
  outputs: 2,
  outputLabels: ['every scored reading', 'anomalies only'],
  icon: 'smarts-anomaly.svg',
  paletteLabel: 'anomaly',
  label: function () {
    return this.name || 'anomaly';
  },
  labelStyle: function () {
    return this.name ? 'node_label_italic' : '';
  },
});
