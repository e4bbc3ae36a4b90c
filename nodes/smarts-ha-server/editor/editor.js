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

// The entity picker the meter and notify dialogs share: it lists what the chosen server offers
// (friendly name and id), filters as you type, and adds the clicked id to the dialog's field.
globalThis.SmartsEntityPicker = {
  /** Shown at most: a filter narrows thousands of entities down, the list stays short and quick. */
  maxShown: 100,
  attach: function (options) {
    var $server = $(options.server);
    var $field = $(options.field);
    var $row = $(options.row);
    var $filter = $('<input type="text" class="smarts-picker-filter" autocomplete="off" style="width:70%">').attr('placeholder', options.placeholder || 'type to filter by name or id');
    var $refresh = $('<a href="#" class="red-ui-button smarts-picker-refresh" title="Reload from Home Assistant"><i class="fa fa-refresh"></i></a>');
    var $hint = $('<div class="form-tips smarts-picker-hint"></div>').hide();
    var $list = $('<div class="smarts-picker-list" style="max-height:180px; overflow-y:auto; margin-top:4px; border:1px solid var(--red-ui-form-input-border-color, #ccc); border-radius:4px"></div>').hide();
    $row.empty().append($('<label>&nbsp;</label>'), $filter, ' ', $refresh, $list, $hint);
    var choices = [];
    var hint = function (text) { $hint.text(text || '').toggle(!!text); };
    function chosen() {
      return String($field.val() || '').split(/[\s,;]+/).filter(Boolean);
    }
    function render() {
      var words = String($filter.val() || '').toLowerCase().split(/\s+/).filter(Boolean);
      var have = chosen();
      var matches = [];
      for (var i = 0; i < choices.length && matches.length <= globalThis.SmartsEntityPicker.maxShown; i += 1) {
        var choice = choices[i];
        var text = choice.search;
        if (words.every(function (word) { return text.indexOf(word) !== -1; })) matches.push(choice);
      }
      $list.empty().toggle(choices.length > 0);
      matches.slice(0, globalThis.SmartsEntityPicker.maxShown).forEach(function (choice) {
        var $item = $('<div class="smarts-picker-item" style="padding:2px 6px; cursor:pointer; white-space:nowrap; overflow:hidden; text-overflow:ellipsis"></div>').attr('data-entity-id', choice.entity_id).attr('title', choice.name + ' (' + choice.entity_id + ')');
        $('<span style="font-weight:600"></span>').text(choice.name).appendTo($item);
        $('<span style="opacity:0.7"></span>').text('  ' + choice.entity_id + (choice.detail ? ' · ' + choice.detail : '')).appendTo($item);
        if (have.indexOf(choice.entity_id) !== -1) $('<i class="fa fa-check" style="margin-left:6px"></i>').appendTo($item);
        $item.on('mouseenter', function () { $item.css('background', 'var(--red-ui-list-item-background-hover, #eee)'); }).on('mouseleave', function () { $item.css('background', ''); });
        $item.on('click', function () {
          var current = options.multiple === false ? [] : chosen();
          if (current.indexOf(choice.entity_id) === -1) current.push(choice.entity_id);
          $field.val(current.join(', ')).trigger('change');
          render();
        });
        $list.append($item);
      });
      if (choices.length && matches.length === 0) hint('nothing matches "' + $filter.val() + '"');
      else if (matches.length > globalThis.SmartsEntityPicker.maxShown) hint('showing the first ' + globalThis.SmartsEntityPicker.maxShown + ' of many: type more to narrow');
      else hint('');
    }
    function load() {
      var serverId = $server.val();
      choices = [];
      $list.empty().hide();
      if (!serverId || serverId === '_ADD_') { hint('Choose a Home Assistant server, then deploy it, to pick from its entities.'); return; }
      var config = RED.nodes.node(serverId);
      hint('loading from Home Assistant…');
      $.getJSON('smarts-ha-server/' + encodeURIComponent(serverId) + '/' + options.source)
        .done(function (entities) {
          choices = entities.map(function (e) {
            var detail = [e.device_class, e.unit].filter(Boolean).join(', ');
            return { entity_id: e.entity_id, name: e.name || e.entity_id, detail: detail, search: (e.name + ' ' + e.entity_id).toLowerCase() };
          });
          if (!choices.length) hint(options.none || 'nothing to pick on this server');
          else render();
          if (config && config.changed) hint('the server has changes that are not deployed yet: this list comes from its deployed settings');
        })
        .fail(function (xhr) {
          var reason = xhr.responseJSON && xhr.responseJSON.error ? xhr.responseJSON.error : xhr.status + ' ' + xhr.statusText;
          // a server added or edited in this editor has no connection until it is deployed
          if (xhr.status === 404) hint('Deploy the Home Assistant server first: the picker lists entities through its connection' + (/deploy/i.test(reason) ? '.' : ' (' + reason + ').'));
          else hint('could not list entities: ' + reason);
        });
    }
    $filter.on('input keyup', render);
    $field.on('change', function () { if (choices.length) render(); });
    $server.on('change', load);
    $refresh.on('click', function (event) { event.preventDefault(); load(); });
    load();
  },
};
