RED.nodes.registerType('smarts-kafka-out', {
  category: 'Stream Smarts',
  color: '#C7B299',
  defaults: {
    name: { value: '' },
    broker: { value: '', type: 'smarts-kafka-broker', required: true },
    topic: { value: '' },
    key: { value: '' },
    format: { value: 'avro' },
    bufferCount: { value: 10000, required: true, validate: RED.validators.number() },
    bufferMegabytes: { value: 16, required: true, validate: RED.validators.number() },
  },
  inputs: 1,
  outputs: 1,
  icon: 'smarts-kafka.svg',
  align: 'right',
  paletteLabel: 'Kafka out',
  label: function () {
    return this.name || (this.topic ? 'kafka ' + this.topic : 'kafka out');
  },
  labelStyle: function () {
    return this.name ? 'node_label_italic' : '';
  },
});
