/* spatial-neighbours: the weights map's connectivity view (as GeoDa's): a click on a unit fills it
   and its neighbours, draws the links to them (island-repair links dashed) and lists the
   neighbours with their weights in a panel; a second click on it, a click on the map's
   background, the panel's close button or Escape clears it. A click on a listed neighbour selects
   that neighbour.
   Data arrive as JSON (maps/_neighbours.py); every text in it is HTML-escaped (maps._escape.safe_text)
   and is decoded here to plain text, then shown with textContent: nothing is parsed as HTML or
   built into code. */
var spatialNeighbours = window.spatialNeighbours || (function () {
  "use strict";
  var decoder = document.createElement("textarea");  // RCDATA: entities decoded, never tags
  function plain(escaped) { decoder.innerHTML = escaped; return decoder.value; }
  function cell(row, tag, text, className) {
    var element = document.createElement(tag);
    element.textContent = text;
    if (className) { element.className = className; }
    row.appendChild(element);
    return element;
  }

  function attach(map, layer, data) {
    var numbers = spatialPanel.numbers;
    var counts = numbers(data.count), listed = numbers(data.listed), starts = [0], k, i;
    for (k = 0; k < counts.length; k++) { starts.push(starts[k] + listed[k]); }
    var nbr = numbers(data.nbr), w = numbers(data.w), s = data.s === null ? null : numbers(data.s);
    var r = data.r === null ? null : numbers(data.r);
    var repaired = {};
    data.island.forEach(function (pair) { repaired[pair[0] + ":" + pair[1]] = repaired[pair[1] + ":" + pair[0]] = true; });
    var words = {};
    Object.keys(data.words).forEach(function (key) { words[key] = plain(data.words[key]); });
    var shapes = [];
    layer.eachLayer(function (shape) { shapes[shape.spatialK] = shape; });
    var lines = L.layerGroup(), selected = null, marked = {};

    var control = L.control({position: "topleft"}), panel;
    control.onAdd = function () {
      panel = L.DomUtil.create("div", "spatial-panel-control spatial-neighbours");
      panel.setAttribute("data-spatial", "neighbours");
      panel.style.display = "none";
      L.DomEvent.disableClickPropagation(panel);
      L.DomEvent.disableScrollPropagation(panel);
      return panel;
    };
    control.addTo(map);
    var corner = map.getContainer().getAttribute("data-legend-corner") || "";
    if (corner.indexOf("topleft") === 0) { control.setPosition("topright"); }

    function restyle(k) {  // the unit's own colours, then the view's highlight over them
      var shape = shapes[k];
      layer.fire("mouseout", {layer: shape, propagatedFrom: shape});
    }
    function paint(k, style) {
      var shape = shapes[k];
      if (shape) { shape.setStyle(style); }
    }
    function highlight() {
      Object.keys(marked).forEach(function (k) { paint(Number(k), marked[k]); });
    }
    function clear() {
      var was = Object.keys(marked);
      marked = {};
      selected = null;
      lines.clearLayers();
      if (lines._map) { map.removeLayer(lines); }
      was.forEach(function (k) { restyle(Number(k)); });
      panel.style.display = "none";
      panel.textContent = "";
      map.getContainer().removeAttribute("data-neighbours-of");
    }
    function show(k) {
      clear();
      selected = k;
      var from = data.points[k], first = starts[k], last = starts[k + 1];
      marked[k] = data.styles.selected;
      var strongest = 0;
      for (i = first; i < last; i++) { strongest = Math.max(strongest, data.wv[w[i]]); }
      panel.textContent = "";
      var close = cell(panel, "button", "\u00d7", "spatial-close");
      close.type = "button";
      close.title = words.clear;
      close.setAttribute("aria-label", words.clear);
      close.addEventListener("click", function (e) { L.DomEvent.stopPropagation(e); clear(); });
      cell(panel, "div", plain(layer.spatialNames[k]), "spatial-title");
      cell(panel, "div", words[counts[k] === 1 ? "one" : "count"].replace("{n}", String(counts[k])), "spatial-count");
      if (last > first) {
        var box = L.DomUtil.create("div", "spatial-neighbour-list", panel);
        var table = L.DomUtil.create("table", "", box), head = L.DomUtil.create("tr", "", table);
        data.columns.forEach(function (text) { cell(head, "th", plain(text)); });
        cell(head, "th", "");
        for (i = first; i < last; i++) {
          var j = nbr[i], island = repaired[k + ":" + j] === true;
          var row = L.DomUtil.create("tr", island ? "spatial-island-link" : "", table);
          row.setAttribute("data-k", String(j));
          cell(row, "td", plain(layer.spatialNames[j]), "spatial-neighbour-name");
          cell(row, "td", plain(data.wt[w[i]]), "n");
          if (s) { cell(row, "td", plain(data.st[s[i]]), "n"); }
          if (r) { cell(row, "td", plain(data.rt[r[i]]), "n"); }
          cell(row, "td", island ? words.island : "", "spatial-link-kind");
          row.addEventListener("click", (function (target) {
            // stopped here: the row leaves the page, so the map could not tell that the click was on the panel
            return function (e) { L.DomEvent.stopPropagation(e); show(target); };
          })(j));
          marked[j] = data.styles[island ? "island" : "neighbour"];
          var to = data.points[j], width = strongest > 0 ? 1 + 4 * data.wv[w[i]] / strongest : 2;
          new L.Polyline([from, to], {color: island ? "#d7301f" : "#08306b", weight: Math.round(width * 10) / 10,
                                  dashArray: island ? "6 4" : null, opacity: 0.9, interactive: false}).addTo(lines);
        }
        if (counts[k] > last - first) {
          cell(panel, "div", words.more.replace("{k}", String(last - first)).replace("{n}", String(counts[k])),
               "spatial-note");
        }
      }
      marked[k] = data.styles.selected;
      highlight();
      lines.addTo(map);
      panel.style.display = "";
      map.getContainer().setAttribute("data-neighbours-of", String(k));
    }

    layer.on("click", function (e) {
      L.DomEvent.stopPropagation(e);
      var k = e.layer.spatialK;
      if (k === selected) { clear(); } else { show(k); }
    });
    // the hover outline is undone on mouseout by the view's style; the selection is put back over it
    layer.on("mouseout", function (e) {
      var k = e.layer.spatialK;
      if (marked[k]) { e.layer.setStyle(marked[k]); }
    });
    map.on("click", clear);
    document.addEventListener("keydown", function (e) { if (e.key === "Escape" && selected !== null) { clear(); } });
    layer.spatialConnectivity = {show: show, clear: clear, points: data.points};
    return layer.spatialConnectivity;
  }

  return {attach: attach, plain: plain};
})();
