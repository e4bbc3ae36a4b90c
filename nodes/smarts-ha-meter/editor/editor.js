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
    var node = this;
    var $list = $('#node-input-entity-picker');
    var $hint = $('#node-input-entity-picker-hint');
    var hint = function (text) { $hint.text(text || '').toggle(!!text); };
    function load() {
      var serverId = $('#node-input-server').val();
      $list.empty();
      if (!serverId || serverId === '_ADD_') { hint(node._('smarts-ha-meter.picker.noServer')); return; }
      hint(node._('smarts-ha-meter.picker.loading'));
      $.getJSON('smarts-ha-server/' + encodeURIComponent(serverId) + '/entities')
        .done(function (entities) {
          hint(entities.length ? '' : node._('smarts-ha-meter.picker.none'));
          $('<option>').val('').text(node._('smarts-ha-meter.picker.choose')).appendTo($list);
          entities.forEach(function (e) {
            $('<option>').val(e.entity_id).text(e.name + ' (' + e.entity_id + ', ' + e.device_class + (e.unit ? ', ' + e.unit : '') + ')').appendTo($list);
          });
        })
        .fail(function (xhr) {
          var reason = xhr.responseJSON && xhr.responseJSON.error ? xhr.responseJSON.error : xhr.statusText;
          hint(node._('smarts-ha-meter.picker.failed') + ': ' + reason);
        });
    }
    $list.on('change', function () {
      var id = $list.val();
      if (!id) return;
      var current = $('#node-input-entities').val().split(/[\s,;]+/).filter(Boolean);
      if (current.indexOf(id) === -1) current.push(id);
      $('#node-input-entities').val(current.join(', '));
      $list.val('');
    });
    $('#node-input-server').on('change', load);
    $('#node-input-entity-picker-refresh').on('click', function (e) { e.preventDefault(); load(); });
    load();
  },
});
