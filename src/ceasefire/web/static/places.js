// Pick a place by typing any of its names (in any script, typos allowed: the server suggests
// through HTMX into #place-hits); a suggestion clicked fills the form's place select.
(function () {
  "use strict";
  var hits = document.getElementById("place-hits");
  if (!hits) { return; }
  var form = hits.closest("form");
  hits.addEventListener("click", function (event) {
    var hit = event.target.closest(".place-hit");
    if (!hit) { return; }
    form.elements.place_id.value = hit.dataset.id;
    form.elements.place_search.value = hit.dataset.name;
    hits.textContent = "";
  });
}());
