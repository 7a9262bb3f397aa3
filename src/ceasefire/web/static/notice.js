// Activity notices on a map: on the form, draw a point, a plot or a route (each click adds
// a vertex; the drawing goes into the hidden `area` field as GeoJSON, and the assessment is
// asked for again); on a notice's page, show its area over the line, zones and hazards.
(function () {
  "use strict";
  var el = document.getElementById("notice-map");
  if (!el || !window.L) { return; }
  el.hidden = false;
  var center = el.dataset.center.split(",").map(Number);
  var map = L.map(el).setView(center, Number(el.dataset.zoom));
  var form = document.getElementById("notice-form");

  fetch("/map/layers.geojson", { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (fc) {
    var shapes = fc.features.filter(function (f) { return f.properties.layer !== "places"; });
    L.geoJSON({ type: "FeatureCollection", features: shapes }, {
      interactive: false,
      style: function (f) {
        var p = f.properties;
        if (p.kind === "side") { return { stroke: false, fillOpacity: 0 }; }
        if (p.kind === "hazard") { return { color: p.color, weight: 1, fillOpacity: 0.35 }; }
        var area = p.kind === "area" || p.kind === "zone";
        return { color: p.color, weight: area ? 1 : 3, fillOpacity: area ? 0.06 : 0, dashArray: p.illustrative ? "6 6" : null };
      }
    }).addTo(map);
  });

  function toLatLngs(area) {
    if (area.type === "Point") { return [[area.coordinates[1], area.coordinates[0]]]; }
    var positions = area.type === "Polygon" ? area.coordinates[0].slice(0, -1) : area.coordinates;
    return positions.map(function (p) { return [p[1], p[0]]; });
  }

  function draw(layer, kind, latlngs) {
    layer.clearLayers();
    if (!latlngs.length) { return; }
    if (kind === "Point") { L.circleMarker(latlngs[0], { radius: 8, color: "#1f5f99", fillOpacity: 0.8 }).addTo(layer); }
    else if (kind === "Polygon") { L.polygon(latlngs, { color: "#1f5f99", fillOpacity: 0.3 }).addTo(layer); }
    else { L.polyline(latlngs, { color: "#1f5f99", weight: 4 }).addTo(layer); }
    latlngs.forEach(function (ll) { L.circleMarker(ll, { radius: 3, color: "#1f5f99" }).addTo(layer); });
  }

  var drawing = L.layerGroup().addTo(map);

  if (!form) {  // a notice's page: show its area
    var shown = JSON.parse(el.dataset.area);
    var latlngs = toLatLngs(shown);
    draw(drawing, shown.type, latlngs);
    map.fitBounds(L.latLngBounds(latlngs).pad(latlngs.length > 1 ? 0.5 : 0), { maxZoom: 14 });
    return;
  }

  var modes = form.querySelector(".draw-modes");
  modes.hidden = false;
  var field = form.elements.area;
  var points = [];

  function kind() { return form.querySelector("input[name=draw]:checked").value; }

  function update() {
    var k = kind(), ll = points.map(function (p) { return [Number(p.lng.toFixed(6)), Number(p.lat.toFixed(6))]; });
    var ready = (k === "Point" && ll.length === 1) || (k === "LineString" && ll.length >= 2) || (k === "Polygon" && ll.length >= 3);
    draw(drawing, k, points);
    if (!ready) { field.value = ""; return; }
    var area = k === "Point" ? { type: "Point", coordinates: ll[0] }
      : k === "LineString" ? { type: "LineString", coordinates: ll }
      : { type: "Polygon", coordinates: [ll.concat([ll[0]])] };
    field.value = JSON.stringify(area);
    form.elements.lat.value = ""; form.elements.lon.value = "";
    if (window.htmx) { window.htmx.trigger(form, "area-drawn"); }
  }

  if (field.value) {
    try {
      var earlier = JSON.parse(field.value);
      form.querySelector("input[name=draw][value=" + earlier.type + "]").checked = true;
      points = toLatLngs(earlier).map(function (p) { return L.latLng(p[0], p[1]); });
      draw(drawing, earlier.type, points);
    } catch (e) { field.value = ""; }
  }

  map.on("click", function (e) {
    if (kind() === "Point") { points = [e.latlng]; } else { points.push(e.latlng); }
    update();
  });
  modes.addEventListener("change", function () { points = points.slice(0, kind() === "Point" ? 1 : points.length); update(); });
  modes.querySelector("[data-action=undo]").addEventListener("click", function () { points.pop(); update(); });
  modes.querySelector("[data-action=clear]").addEventListener("click", function () { points = []; update(); });
})();
