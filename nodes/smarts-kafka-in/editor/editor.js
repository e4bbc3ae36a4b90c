RED.nodes.registerType('smarts-kafka-in', {
  category: 'Stream Smarts',
  color: '#C7B299',
  defaults: {
    name: { value: '' },
    broker: { value: '', type: 'smarts-kafka-broker', required: true },
    topics: { value: '', required: true },
    groupId: { value: '' },
    fromBeginning: { value: false },
    format: { value: 'auto' },
    maxInFlight: { value: 16, required: true, validate: RED.validators.number() },
    ackMode: { value: 'flow' },
    deadLetterTopic: { value: '' },
  },
  inputs: 1,
  outputs: 1,
  icon: 'smarts-kafka.svg',
  paletteLabel: 'Kafka in',
  label: function () {
    return this.name || (this.topics ? 'kafka ' + this.topics : 'kafka in');
  },
  labelStyle: function () {
    return this.name ? 'node_label_italic' : '';
  },
});
