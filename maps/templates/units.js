/* spatial-panel: units drawn from quantised shared arcs (format: maps/_topology.py), one layer
   whose colours, tooltip values and legend switch between views (periods or measures).
   All text arrives escaped (maps._escape.safe_text) inside JSON; nothing here builds code from data. */
var spatialPanel = (function () {
  "use strict";
  var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  var DIGIT = new Int8Array(128).fill(-1);
  for (var d = 0; d < 64; d++) { DIGIT[ALPHABET.charCodeAt(d)] = d; }

  function numbers(text) {
    var out = [], value = 0, factor = 1;
    for (var i = 0; i < text.length; i++) {
      var digit = DIGIT[text.charCodeAt(i)];
      value += (digit & 31) * factor;
      if (digit & 32) { factor *= 32; } else { out.push(value); value = 0; factor = 1; }
    }
    return out;
  }
  function signed(u) { return u % 2 ? -(u + 1) / 2 : u / 2; }

  function decode(data) {
    var scale = data.scale, x = 0, y = 0, previous = 0;
    var arcs = data.arcs ? data.arcs.split(".").map(function (part) {
      var n = numbers(part), points = new Array(n.length / 2);
      for (var i = 0; i < n.length; i += 2) {
        x += signed(n[i]); y += signed(n[i + 1]);
        points[i / 2] = L.latLng(y / scale, x / scale);
      }
      return points;
    }) : [];
    if (!data.n) { return []; }
    return data.units.split("|").map(function (unit) {
      return unit ? unit.split(";").map(function (polygon) {
        return polygon.split(",").map(function (text) {
          var ring = [];
          numbers(text).forEach(function (ref) {
            var index = previous + signed(Math.floor(ref / 2));
            var points = arcs[index];
            previous = index;
            if (ref % 2) { points = points.slice().reverse(); }
            for (var i = ring.length ? 1 : 0; i < points.length; i++) { ring.push(points[i]); }
          });
          return ring;
        });
      }) : [];
    });
  }

  /* Leaflet's canvas fills and strokes every path on its own (its source leaves "1 fill/stroke for
     all features with equal style" as a TODO). Units marked spatialBatch are drawn as paths of up
     to BATCH units of one style, one fill and one stroke for each (one path per style was slower
     still in Chromium: filling and stroking a path grows faster than its length); every other
     layer is drawn as Leaflet draws it, in its place in the drawing order. Rings are oriented in
     Python (exteriors one way, holes the other), so the nonzero rule fills the units of a batch
     as each alone would be filled, holes included. A 50,000-cell grid: 0.6 s per frame unit by
     unit, about 0.4 s in batches (bench/bench_map_scale.py). */
  var BATCH = 100;
  function drawBatch(ctx, layers, renderer) {
    var groups = {}, keys = [];
    layers.forEach(function (layer) {
      var o = layer.options;
      var key = o.fillColor + "|" + o.fillOpacity + "|" + o.color + "|" + o.weight + "|" + o.opacity + "|" + o.dashArray;
      if (!groups[key]) { groups[key] = []; keys.push(key); }
      groups[key].push(layer);
    });
    keys.forEach(function (key) {
      var group = groups[key];
      for (var start = 0; start < group.length; start += BATCH) {
        ctx.beginPath();
        for (var k = start; k < Math.min(start + BATCH, group.length); k++) {
          var parts = group[k]._parts;
          for (var i = 0; i < parts.length; i++) {
            var part = parts[i];
            for (var j = 0; j < part.length; j++) { ctx[j ? "lineTo" : "moveTo"](part[j].x, part[j].y); }
            ctx.closePath();
          }
        }
        renderer._fillStroke(ctx, group[start]);
      }
    });
  }
  L.Canvas.include({
    spatialRedrawAll: function () {
      this._spatialFull = true;
      this._redrawRequest = this._redrawRequest || L.Util.requestAnimFrame(this._redraw, this);
    },
    _redraw: function () {
      this._redrawRequest = null;
      if (this._spatialFull) { this._redrawBounds = null; this._spatialFull = false; }
      if (this._redrawBounds) { this._redrawBounds.min._floor(); this._redrawBounds.max._ceil(); }
      this._clear();
      this._draw();
      this._redrawBounds = null;
    },
    _draw: function () {
      var layer, bounds = this._redrawBounds, ctx = this._ctx, run = [];
      ctx.save();
      if (bounds) {
        var size = bounds.getSize();
        ctx.beginPath();
        ctx.rect(bounds.min.x, bounds.min.y, size.x, size.y);
        ctx.clip();
      }
      this._drawing = true;
      for (var order = this._drawFirst; order; order = order.next) {
        layer = order.layer;
        if (!bounds || (layer._pxBounds && layer._pxBounds.intersects(bounds))) {
          if (layer.spatialBatch) {
            if (layer._parts.length) { run.push(layer); }
          } else {
            drawBatch(ctx, run, this);
            run = [];
            layer._updatePath();
          }
        }
      }
      drawBatch(ctx, run, this);
      this._drawing = false;
      ctx.restore();
    }
  });

  /* Outlines shared by several maps of one page (a report): defined once, referred to by key. */
  var shapes = {};
  function define(key, shape) { shapes[key] = shape; }
  function shape(key, names) {
    var data = {names: names};
    for (var name in shapes[key]) { data[name] = shapes[key][name]; }
    return data;
  }

  /* The units layer: one polygon per unit, drawn on the map's canvas (preferCanvas). */
  function units(data) {
    var group = L.featureGroup();
    group.spatialNames = data.names;
    decode(data).forEach(function (latlngs, k) {
      var shape = L.polygon(latlngs, {weight: 0.6, fillRule: "nonzero"});
      shape.spatialK = k;
      shape.spatialBatch = true;
      group.addLayer(shape);
    });
    return group;
  }

  var dashes = {};
  function dashArray(text) {
    if (!text) { return null; }
    return dashes[text] || (dashes[text] = text.split(/[, ]+/).map(Number));
  }

  /* Title, view selector (a slider for periods), legend and tooltips; restyles the layer. */
  function views(map, layer, spec) {
    var decoded = {}, current = spec.initial, legend, select, slider, body, toggle, placer = null;
    var table = spec.texts.table;
    function codes(i) { return decoded["c" + i] || (decoded["c" + i] = numbers(spec.codes[i])); }
    function texts(i) { return decoded["t" + i] || (decoded["t" + i] = numbers(spec.texts.index[i])); }
    function styleOf(shape) { return spec.styles[current][codes(current)[shape.spatialK]]; }
    function show(i) {
      var first = null;
      current = i;
      layer.eachLayer(function (shape) {  // new options for all, then one redraw (setStyle redraws each)
        var style = styleOf(shape);
        L.Util.extend(shape.options, style);
        shape.options._dashArray = dashArray(style.dashArray);
        first = first || shape;
      });
      var renderer = first && layer._map && layer._map.getRenderer(first);
      if (renderer && renderer.spatialRedrawAll) {
        renderer.spatialRedrawAll();
      } else {  // an SVG map (prefer_canvas=False): each path restyled
        layer.eachLayer(function (shape) { shape.setStyle(styleOf(shape)); });
      }
      legend.innerHTML = spec.legends[i];
      if (select) { select.value = String(i); }
      if (slider) { slider.value = String(i); }
      if (placer) { placer.check(); }  // another view's legend may be taller: placed again
    }
    layer.bindTooltip(function (shape) {
      var k = shape.spatialK;
      return '<table class="spatial-tooltip"><tr><th>' + spec.aliases[0] + "</th><td>" + layer.spatialNames[k] +
        "</td></tr><tr><th>" + spec.aliases[1] + "</th><td>" + table[texts(current)[k]] + "</td></tr></table>";
    }, {sticky: true});
    layer.on("mouseover", function (e) { e.layer.setStyle({weight: 3, color: "#222"}); e.layer.bringToFront(); });
    layer.on("mouseout", function (e) { e.layer.setStyle(styleOf(e.layer)); });
    var control = L.control({position: "bottomright"});
    var panel = null;
    control.onAdd = function () {  // built once: placing the legend moves the same panel between corners
      if (panel) { return panel; }
      var div = panel = L.DomUtil.create("div", "spatial-panel-control");
      div.setAttribute("data-spatial", "legend");
      toggle = L.DomUtil.create("button", "spatial-legend-toggle", div);
      toggle.type = "button";
      var title = L.DomUtil.create("div", "spatial-title", div);
      title.innerHTML = spec.title;
      body = L.DomUtil.create("div", "spatial-panel-body", div);
      if (spec.views.length > 1) {
        var row = L.DomUtil.create("div", "", body);
        var label = L.DomUtil.create("label", "", row);
        label.innerHTML = spec.selector + " ";
        select = L.DomUtil.create("select", "spatial-view-select", label);
        spec.views.forEach(function (text, i) {
          var option = L.DomUtil.create("option", "", select);
          option.value = String(i);
          option.innerHTML = text;
        });
        select.addEventListener("change", function () { show(Number(select.value)); });
        if (spec.slider) {
          slider = L.DomUtil.create("input", "spatial-view-slider", body);
          slider.type = "range"; slider.min = "0"; slider.step = "1";
          slider.max = String(spec.views.length - 1);
          slider.addEventListener("input", function () { show(Number(slider.value)); });
        }
      }
      legend = L.DomUtil.create("div", "spatial-legend-body", body);
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    control.addTo(map);
    layer.spatialShow = show;
    show(spec.initial);
    placeLegend(map, layer, control);
    placer = keeper(map, layer, control, body, toggle, spec.toggle || ["-", "+"]);
  }

  /* The legend is placed again whenever what is under it or its size changes: after each zoom or pan
     and after a change of view (another period's legend may be taller). At the initial view the
     placement of placeLegend applies (a refit beside the legend if need be). Once the user has moved
     the map the view is theirs, never refitted: the legend goes to the corner covering the fewest
     units and, when every corner covers some, collapses to its title and a button (the user may open
     it again, and then it stays open until they close it). A legend collapsed for want of room
     opens again when a move makes room. */
  function keeper(map, layer, control, body, toggle, words) {
    var state = {moved: false, placing: false, collapsed: false, auto: false, opened: false};
    var container = map.getContainer();
    function collapse(on, auto) {
      state.collapsed = on;
      state.auto = on && auto;
      body.style.display = on ? "none" : "";
      toggle.textContent = on ? "+" : "\u2212";
      toggle.title = on ? words[1] : words[0];
      toggle.setAttribute("aria-label", toggle.title);
      toggle.setAttribute("aria-expanded", on ? "false" : "true");
      container.setAttribute("data-legend-collapsed", on ? (auto ? "auto" : "user") : "no");
    }
    function check() {
      if (state.placing || (state.collapsed && !state.auto)) { return; }
      state.placing = true;
      try {
        if (state.collapsed) { collapse(false, false); }
        if (!state.moved) { placeLegend(map, layer, control); return; }
        var best = bestCorner(map, layer, control);
        container.setAttribute("data-legend-corner", best.corner);
        if (best.n > 0 && !state.opened) { collapse(true, true); }
      } finally {
        state.placing = false;
      }
    }
    collapse(false, false);
    L.DomEvent.on(toggle, "click", function () {
      state.opened = state.collapsed;
      collapse(!state.collapsed, false);
      if (!state.collapsed) { state.placing = true; try { var best = bestCorner(map, layer, control);
        container.setAttribute("data-legend-corner", best.corner); } finally { state.placing = false; } }
    });
    map.on("zoomend moveend", function () {
      if (state.placing) { return; }
      state.moved = true;
      check();
    });
    return {check: check};
  }

  /* The legend goes where it covers no unit at the initial view: the corner whose box covers the
     fewest units (bottom right first, then bottom left, top right, top left); when every corner
     covers some, the view is refitted with the legend's width (or height, whichever keeps the
     larger zoom) kept free beside the data, so the data sits outside the legend's box. */
  var CORNERS = ["bottomright", "bottomleft", "topright", "topleft"];
  function crosses(a, b, r) {  // segment a-b meets rectangle r (Liang-Barsky)
    var t0 = 0, t1 = 1, dx = b.x - a.x, dy = b.y - a.y;
    var p = [-dx, dx, -dy, dy], q = [a.x - r.left, r.right - a.x, a.y - r.top, r.bottom - a.y];
    for (var i = 0; i < 4; i++) {
      if (p[i] === 0) { if (q[i] < 0) { return false; } continue; }
      var t = q[i] / p[i];
      if (p[i] < 0) { if (t > t1) { return false; } if (t > t0) { t0 = t; } }
      else { if (t < t0) { return false; } if (t < t1) { t1 = t; } }
    }
    return true;
  }
  function inside(pt, ring) {
    var hit = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var a = ring[i], b = ring[j];
      if ((a.y > pt.y) !== (b.y > pt.y) && pt.x < (b.x - a.x) * (pt.y - a.y) / (b.y - a.y) + a.x) { hit = !hit; }
    }
    return hit;
  }
  function covered(map, layer, r) {  // number of units the rectangle r (container pixels) touches
    var count = 0, centre = L.point((r.left + r.right) / 2, (r.top + r.bottom) / 2);
    layer.eachLayer(function (shape) {
      var b = shape.getBounds();
      if (!b.isValid()) { return; }
      var nw = map.latLngToContainerPoint(b.getNorthWest()), se = map.latLngToContainerPoint(b.getSouthEast());
      if (se.x < r.left || nw.x > r.right || se.y < r.top || nw.y > r.bottom) { return; }
      var rings = shape.getLatLngs(), hit = false;
      (function walk(list) {
        if (hit || !list.length) { return; }
        if (list[0] instanceof L.LatLng) {
          var ring = list.map(function (ll) { return map.latLngToContainerPoint(ll); });
          for (var i = 0; i < ring.length && !hit; i++) { hit = crosses(ring[i], ring[(i + 1) % ring.length], r); }
          hit = hit || inside(centre, ring);
        } else { list.forEach(walk); }
      })(rings);
      if (hit) { count++; }
    });
    return count;
  }
  function legendBox(map, control) {
    var c = map.getContainer().getBoundingClientRect(), d = control.getContainer().getBoundingClientRect();
    return {left: d.left - c.left, right: d.right - c.left, top: d.top - c.top, bottom: d.bottom - c.top,
            width: d.width, height: d.height};
  }
  function bestCorner(map, layer, control) {  // the corner whose legend box covers the fewest units
    var best = null;
    CORNERS.forEach(function (corner) {
      control.setPosition(corner);
      var n = covered(map, layer, legendBox(map, control));
      if (best === null || n < best.n) { best = {corner: corner, n: n}; }
    });
    control.setPosition(best.corner);
    return best;
  }
  function placeLegend(map, layer, control) {
    var size = map.getSize(), data = layer.getBounds();
    if (!size.x || !size.y || !data.isValid()) { return; }
    var best = bestCorner(map, layer, control);
    map.getContainer().setAttribute("data-legend-corner", best.corner);
    if (best.n === 0) { return; }
    var box = legendBox(map, control), margin = 10, right = best.corner.indexOf("right") >= 0;
    var bottom = best.corner.indexOf("bottom") >= 0;
    var sideX = L.point(box.width + 2 * margin, 0), sideY = L.point(0, box.height + 2 * margin);
    var zoomX = map.getBoundsZoom(data, false, sideX), zoomY = map.getBoundsZoom(data, false, sideY);
    var free = zoomX >= zoomY ? sideX : sideY, none = L.point(0, 0);
    var after = zoomX >= zoomY ? (right ? [none, free] : [free, none]) : (bottom ? [none, free] : [free, none]);
    map.fitBounds(data, {paddingTopLeft: after[0], paddingBottomRight: after[1], animate: false});
    map.getContainer().setAttribute("data-legend-corner", best.corner + " refitted");
  }

  return {units: units, views: views, numbers: numbers, define: define, shape: shape};
})();
