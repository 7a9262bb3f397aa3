// A movement's track: its route from place to place, and each checkpoint's outcome as a
// coloured marker (green passed, blue inspected, red held, turned back or disputed). A
// resident's case uses it too: its village (red) and nearest post (blue); a daily report, its
// incidents (orange: ceasefire violations, purple: the others).
(function () {
  "use strict";
  var el = document.getElementById("track-map");
  if (!el || !window.L) { return; }
  el.hidden = false;
  var track = JSON.parse(el.dataset.track);
  var map = L.map(el).setView(el.dataset.center.split(",").map(Number), Number(el.dataset.zoom));
  var colour = { passed: "#1e8449", inspected: "#2471a3", arrived: "#1e8449", held: "#c0392b", turned_back: "#c0392b", disputed: "#b7950b", "case": "#c0392b", post: "#2471a3", violation: "#e67e22", incident: "#8e44ad" };
  function text(s) { var span = document.createElement("span"); span.textContent = s; return span.innerHTML; }
  fetch("/map/layers.geojson", { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (fc) {
    var shapes = fc.features.filter(function (f) { return f.properties.layer !== "places" && f.properties.kind !== "zone" && f.properties.kind !== "side"; });
    L.geoJSON({ type: "FeatureCollection", features: shapes }, {
      interactive: false,
      style: function (f) {
        var p = f.properties, area = p.kind === "area";
        return { color: p.color, weight: area ? 1 : 2, fillOpacity: area ? 0.06 : 0, dashArray: p.illustrative ? "6 6" : null };
      }
    }).addTo(map).bringToBack();
  });
  if (track.route.length > 1) { L.polyline(track.route, { color: "#34495e", weight: 3, dashArray: "4 6" }).addTo(map); }
  track.points.forEach(function (p) {
    L.circleMarker([p.lat, p.lon], { radius: 9, color: "#222", weight: 1, fillColor: colour[p.outcome] || "#7f8c8d", fillOpacity: 0.9, className: "checkpoint-" + p.outcome })
      .bindTooltip(text(p.label)).addTo(map);
  });
  var all = track.route.concat(track.points.map(function (p) { return [p.lat, p.lon]; }));
  if (all.length) { map.fitBounds(L.latLngBounds(all).pad(0.3), { maxZoom: 13 }); }
})();
