// The report form on a phone: fill in the position from the device, and show the violation
// fields only for violation categories (places.js picks the place).
(function () {
  "use strict";
  var form = document.querySelector("form.report");
  if (!form) { return; }
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
