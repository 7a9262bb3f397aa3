// The coordinators' map: who does what where (a marker per place, its activities listed in
// the popup) over the region's offline outline, and the displaced by where they live now (a
// circle per place sized by the number of people; suppressed small counts are not sent).
(function () {
  "use strict";
  var el = document.getElementById("aid-map");
  if (!el || !window.L) { return; }
  el.hidden = false;
  var d = el.dataset;
  var data = JSON.parse(d.aid);
  var map = L.map(el).setView(d.center.split(",").map(Number), Number(d.zoom));
  function text(s) { var span = document.createElement("span"); span.textContent = s == null ? "" : String(s); return span.innerHTML; }
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
  var most = Math.max.apply(null, [1].concat(data.displaced.map(function (p) { return p.people; })));
  data.displaced.forEach(function (p) {
    L.circleMarker([p.lat, p.lon], { radius: 6 + 22 * Math.sqrt(p.people / most), color: "#922b21", weight: 1, fillColor: "#e74c3c", fillOpacity: 0.35, className: "aid-displaced aid-displaced-" + p.id })
      .bindTooltip(text(p.place) + ": " + text(p.people) + " " + text(d.labelPeople)).addTo(map);
  });
  data.places.forEach(function (p) {
    var lines = p.activities.map(function (a) {
      return "<li><strong>" + text(a.organisation) + "</strong>" + (a.partner ? " " + text(d.labelPartner) + " " + text(a.partner) : "") +
        " · " + text(a.sector) + " · " + text(a.status) + (a.remote ? " · " + text(d.labelRemote) : "") + "<br>" + text(a.activity) + "</li>";
    });
    L.circleMarker([p.lat, p.lon], { radius: 8, color: "#1b4f72", weight: 2, fillColor: "#2e86de", fillOpacity: 0.9, className: "aid-activity aid-activity-" + p.id })
      .bindPopup("<strong>" + text(p.place) + "</strong><ul class=\"aid-popup\">" + lines.join("") + "</ul>").addTo(map);
  });
  var all = data.places.concat(data.displaced).map(function (p) { return [p.lat, p.lon]; });
  if (all.length) { map.fitBounds(L.latLngBounds(all).pad(0.3), { maxZoom: 9 }); }
  el.dataset.drawn = String(data.places.length + data.displaced.length);
})();
