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
  oneditprepare: function () {
    var node = this;
    var $series = $('#smarts-anomaly-series');
    var $chart = $('#smarts-anomaly-chart');
    var $info = $('#smarts-anomaly-model-info');
    var $preview = $('#smarts-anomaly-preview');
    var svgNs = 'http://www.w3.org/2000/svg';
    function svg(name, attributes, parent) {
      var element = document.createElementNS(svgNs, name);
      Object.keys(attributes).forEach(function (key) { element.setAttribute(key, attributes[key]); });
      if (parent) parent.appendChild(element);
      return element;
    }
    function failure(xhr) {
      return xhr.responseJSON && xhr.responseJSON.error ? xhr.responseJSON.error : xhr.status + ' ' + xhr.statusText;
    }
    function format(number) {
      var magnitude = Math.abs(number);
      return magnitude >= 100 ? number.toFixed(0) : magnitude >= 1 ? number.toFixed(2) : number.toPrecision(2);
    }
    // a general series' band is its forecast of each reading (slots 'reading-time'), not a calendar slot's
    function isGeneral(model) {
      return model.band !== null && model.band.slots === 'reading-time';
    }
    function slotOf(band, reading) {
      return band.slots === 'hour-of-week' ? reading.hourOfWeek : band.slots === 'hour-of-day' ? reading.hour : reading.ts;
    }
    // the expected band behind the recent readings (or over the whole week when none is recent), scores against 1 below
    function draw(model) {
      var width = 480, top = 150, bottom = 60, gap = 18, height = top + gap + bottom;
      var root = svg('svg', { width: width, height: height, viewBox: '0 0 ' + width + ' ' + height, 'class': 'smarts-anomaly-chart', role: 'img' });
      var points = model.recent.map(function (reading) {
        var slot = model.band ? slotOf(model.band, reading) : null;
        var row = model.band ? model.band.rows.filter(function (r) { return r.slot === slot; })[0] : null;
        return { value: reading.value, score: reading.score, row: row };
      });
      if (points.length === 0 && model.band) points = model.band.rows.map(function (row) { return { value: null, score: null, row: row }; });
      var values = [];
      points.forEach(function (p) {
        if (p.value !== null) values.push(p.value);
        if (p.row) values.push(p.row.low, p.row.high);
      });
      values = values.filter(function (v) { return isFinite(v); });
      // use (energy, water) is drawn from 0; any other sensor (a temperature) around its own range
      var floor = isGeneral(model) ? [] : [0];
      var min = Math.min.apply(null, values.concat(floor)), max = Math.max.apply(null, values.concat(floor.length ? [1e-9] : []));
      var n = Math.max(points.length, 2);
      var x = function (i) { return 30 + (i * (width - 40)) / (n - 1); };
      var y = function (v) { return top - 5 - ((v - min) / (max - min || 1)) * (top - 15); };
      svg('rect', { x: 0, y: 0, width: width, height: height, fill: '#fafafa' }, root);
      var upper = [], lower = [], expected = [];
      points.forEach(function (p, i) {
        if (!p.row) return;
        upper.push(x(i) + ',' + y(p.row.high));
        lower.unshift(x(i) + ',' + y(Math.max(min, p.row.low)));
        expected.push(x(i) + ',' + y(p.row.expected));
      });
      if (upper.length) {
        svg('polygon', { points: upper.concat(lower).join(' '), fill: '#41BDF5', 'fill-opacity': 0.25, 'class': 'smarts-band' }, root);
        svg('polyline', { points: expected.join(' '), fill: 'none', stroke: '#1f8ac0', 'stroke-width': 1 }, root);
      }
      var readings = [];
      points.forEach(function (p, i) { if (p.value !== null) readings.push(x(i) + ',' + y(p.value)); });
      if (readings.length) svg('polyline', { points: readings.join(' '), fill: 'none', stroke: '#333', 'stroke-width': 1.5, 'class': 'smarts-readings' }, root);
      var label = svg('text', { x: 2, y: 12, 'font-size': 10, fill: '#555' }, root);
      label.textContent = format(max) + ' ' + (model.band ? model.band.unit : '');
      var low = svg('text', { x: 2, y: top - 2, 'font-size': 10, fill: '#555' }, root);
      low.textContent = format(min) + ' ' + (model.band ? model.band.unit : '');
      var scores = points.map(function (p) { return p.score; }).filter(function (s) { return s !== null; });
      var scoreMax = Math.max(2, Math.max.apply(null, scores.concat([0])));
      var sy = function (s) { return height - 2 - (Math.min(s, scoreMax) / scoreMax) * (bottom - 4); };
      points.forEach(function (p, i) {
        if (p.score === null) return;
        svg('line', { x1: x(i), x2: x(i), y1: sy(0), y2: sy(p.score), stroke: p.score > 1 ? '#d08800' : '#8a8', 'stroke-width': 2, 'class': 'smarts-score' }, root);
      });
      svg('line', { x1: 28, x2: width - 5, y1: sy(1), y2: sy(1), stroke: '#c00', 'stroke-dasharray': '4 3', 'class': 'smarts-score-one' }, root);
      var one = svg('text', { x: 2, y: sy(1) + 3, 'font-size': 10, fill: '#c00' }, root);
      one.textContent = 'score 1';
      $chart.empty().append(root);
    }
    function show(model) {
      var preview = model.preview;
      if (preview.readings === 0) $preview.text('No scored readings of ' + model.entityId + ' yet: nothing to replay.');
      else $preview.text('Over the last ' + preview.readings + (preview.readings === 1 ? ' reading' : ' readings') + ' of ' + model.entityId + ': high would have raised ' + preview.high + (preview.high === 1 ? ' alert' : ' alerts') + ', normal ' + preview.normal + ', low ' + preview.low + (preview.appliesToModel ? '.' : ' (this model does not depend on the sensitivity).'));
      if (!model.hasModel) {
        $chart.empty();
        var learning = model.learning ? ' (learning: ' + model.learning.have + ' of ' + model.learning.need + ' readings)' : '';
        var until = /^general@/.test(model.modelId || '') ? ': it alerts once it has learnt the series\' usual level and spread.' : ': only extreme use alerts until it has trained.';
        $info.text('No model yet for ' + model.entityId + learning + until).attr('data-state', 'no-model');
        return;
      }
      draw(model);
      var trained = model.lastTrained ? new Date(model.lastTrained).toLocaleString() : 'never';
      var band = isGeneral(model) ? 'expected band: its forecast of each reading ± its usual error; learns from every reading, last ' + trained : 'expected band by ' + model.band.slots.replace(/-/g, ' ') + '; last trained ' + trained;
      $info.text('Model ' + model.modelId + ', ' + band + '. Recent readings (line) against the band, scores against 1 below.').attr('data-state', 'model');
    }
    function load(entityId) {
      $info.text('').removeAttr('data-state');
      $chart.empty();
      if (!entityId) return;
      $.getJSON('smarts-anomaly/' + encodeURIComponent(node.id) + '/series/' + encodeURIComponent(entityId))
        .done(show)
        .fail(function (xhr) { $info.text(failure(xhr)); });
    }
    function list() {
      $series.empty();
      $.getJSON('smarts-anomaly/' + encodeURIComponent(node.id) + '/series')
        .done(function (ids) {
          $('<option>').val('').text(ids.length ? 'choose a series' : 'no series scored yet').appendTo($series);
          ids.forEach(function (id) { $('<option>').val(id).text(id).appendTo($series); });
          if (ids.length === 1) { $series.val(ids[0]); load(ids[0]); }
        })
        .fail(function (xhr) {
          $('<option>').val('').text('-').appendTo($series);
          $info.text(failure(xhr));
        });
    }
    $series.on('change', function () { load($series.val()); });
    $('#smarts-anomaly-series-refresh').on('click', function (event) { event.preventDefault(); list(); load($series.val()); });
    list();
  },
});

