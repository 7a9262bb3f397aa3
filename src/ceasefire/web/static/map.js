// The incident map: the deployment's layers (the offline base when no tiles are configured),
// peacekeeping posts and places, and the incidents the signed-in user may see.
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.L) { return; }
  var d = el.dataset;
  var center = d.center.split(",").map(Number);
  var map = L.map(el, { preferCanvas: true }).setView(center, Number(d.zoom));
  if (d.tiles) {
    L.tileLayer(d.tiles, { attribution: d.attribution, maxZoom: 18 }).addTo(map);
  }
  var statusLabel = JSON.parse(d.statusLabels || "{}");
  var markers = L.svg();  // incidents as SVG elements: each is a focusable, testable node
  var statusColor = { reported: "#e67e22", corroborated: "#2e86de", verified: "#1e8449", disputed: "#b7950b", retracted: "#7f8c8d" };
  var placesLayer = L.layerGroup(), postsLayer = L.layerGroup(), incidentsLayer = L.layerGroup();
  var overlays = {};

  function text(s) { var span = document.createElement("span"); span.textContent = s; return span.innerHTML; }

  fetch("/map/layers.geojson", { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (fc) {
    var shapes = fc.features.filter(function (f) { return f.properties.layer !== "places"; });
    var points = fc.features.filter(function (f) { return f.properties.layer === "places"; });
    L.geoJSON({ type: "FeatureCollection", features: shapes }, {
      style: function (f) {
        var p = f.properties;
        if (p.kind === "side") { return { stroke: false, fillColor: "#7f8c8d", fillOpacity: 0.02 }; }
        if (p.kind === "hazard") { return { color: p.color, weight: 1, fillOpacity: 0.35 }; }
        var area = p.kind === "area" || p.kind === "zone";
        return { color: p.color, weight: area ? 1 : 3, fillOpacity: area ? 0.08 : 0, dashArray: p.illustrative ? "6 6" : null };
      },
      onEachFeature: function (f, layer) {
        var p = f.properties;
        layer.bindPopup("<strong>" + text(p.name) + "</strong>" + (p.illustrative ? " <em>(" + text(d.labelIllustrative) + ")</em>" : "") + "<br>" + text(p.provenance || ""));
      }
    }).addTo(map);
    points.forEach(function (f) {
      var p = f.properties, ll = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
      var post = p.kind === "post" || p.kind === "headquarters" || p.kind === "checkpoint" || p.kind === "monitoring_centre";
      var marker = L.circleMarker(ll, { radius: post ? 4 : 3, color: post ? "#1f5f99" : "#34495e", weight: 1, fillOpacity: post ? 0.9 : 0.6 });
      marker.bindTooltip(text(p.name) + (p.approximate ? " (" + text(d.labelApproximate) + ")" : ""), { direction: "top" });
      if (p.kind === "city" || p.kind === "town") {
        L.marker(ll, { icon: L.divIcon({ className: "place-label", html: "<span>" + text(p.name) + "</span>", iconSize: null }), interactive: false }).addTo(placesLayer);
      }
      marker.addTo(post ? postsLayer : placesLayer);
    });
    placesLayer.addTo(map);
    postsLayer.addTo(map);
  });

  fetch("/map/incidents.geojson" + window.location.search, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (fc) {
    fc.features.forEach(function (f) {
      var p = f.properties, ll = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
      var m = L.circleMarker(ll, { radius: p.violation ? 8 : 7, color: "#222", weight: 1, fillColor: statusColor[p.status] || "#e67e22", fillOpacity: 0.9, renderer: markers, className: "incident-marker incident-" + p.id });
      m.bindPopup("<strong><a href=\"/incidents/" + encodeURIComponent(p.id) + "\">" + text(p.title) + "</a></strong><br>" +
        text(p.category_name) + " · " + text(p.started_at.slice(0, 10)) + (p.place ? "<br>" + text(p.place) : ""));
      m.feature = f;
      m.addTo(incidentsLayer);
    });
    incidentsLayer.addTo(map);
    el.dataset.incidents = String(fc.features.length);
    document.getElementById("map-count").textContent = d.labelIncidents + ": " + fc.features.length;
  });

  overlays[d.labelIncidents] = incidentsLayer;
  overlays[d.labelPosts] = postsLayer;
  overlays[d.labelPlaces] = placesLayer;
  L.control.layers(null, overlays, { collapsed: true }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);
  var legend = L.control({ position: "bottomright" });
  legend.onAdd = function () {
    var div = L.DomUtil.create("div", "legend");
    Object.keys(statusColor).forEach(function (s) { div.innerHTML += "<i style=\"background:" + statusColor[s] + "\"></i>" + text(statusLabel[s] || s) + "<br>"; });
    return div;
  };
  legend.addTo(map);
}());
