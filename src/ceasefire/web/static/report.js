// The report form on a phone: pick a place by typing any of its names (in any script,
// typos allowed: the server suggests), fill in the position from the device, and show the
// violation fields only for violation categories.
(function () {
  "use strict";
  var form = document.querySelector("form.report");
  if (!form) { return; }
  var search = form.elements.place_search, select = form.elements.place_id;
  var hits = document.getElementById("place-hits");
  hits.addEventListener("click", function (event) {  // a suggestion the server found
    var hit = event.target.closest(".place-hit");
    if (!hit) { return; }
    select.value = hit.dataset.id;
    search.value = hit.dataset.name;
    hits.textContent = "";
  });
  var button = document.getElementById("use-location");
  if (navigator.geolocation) {
    button.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.elements.lat.value = pos.coords.latitude.toFixed(5);
        form.elements.lon.value = pos.coords.longitude.toFixed(5);
      });
    });
  } else { button.hidden = true; }
  var category = form.elements.category, observation = document.getElementById("observation");
  function toggle() {
    var opt = category.options[category.selectedIndex];
    observation.hidden = !(opt && opt.dataset.violation === "true");
  }
  category.addEventListener("change", toggle);
  toggle();
}());
