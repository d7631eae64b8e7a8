// Address form: the kabupaten/kota list shows only the chosen province's, and the
// "other city" box only where the list is not complete. Without this script every
// kabupaten/kota is listed (grouped by province) and both fields are shown; the server
// checks the same rules either way.
(function () {
  "use strict";
  var form = document.querySelector("form[data-address-form]");
  if (!form) { return; }
  var province = form.querySelector("#province_code");
  var region = form.querySelector("#region_code");
  var city = form.querySelector("#city_name");
  if (!province || !region || !city) { return; }
  var regionField = region.closest(".field");
  var cityField = city.closest(".field");
  var complete = (form.getAttribute("data-complete-provinces") || "").split(" ");
  var groups = Array.prototype.slice.call(region.querySelectorAll("optgroup"));

  // .field sets display, which would beat the hidden attribute alone.
  function show(node, visible) {
    node.hidden = !visible;
    node.style.display = visible ? "" : "none";
  }
  function provinceOf(code) { return code.split(".")[0]; }
  function groupProvince(group) {
    var first = group.querySelector("option");
    return first ? provinceOf(first.value) : "";
  }

  function update() {
    var code = province.value;
    var chosen = region.value;
    var shown = 0;
    groups.forEach(function (group) {
      if (group.parentNode) { group.parentNode.removeChild(group); }
    });
    groups.forEach(function (group) {
      if (!code || groupProvince(group) === code) {
        region.appendChild(group);
        shown += group.querySelectorAll("option").length;
      }
    });
    region.value = chosen && (!code || provinceOf(chosen) === code) ? chosen : "";
    show(regionField, !code || shown > 0);
    show(cityField, !code || complete.indexOf(code) === -1);
  }

  province.addEventListener("change", update);
  region.addEventListener("change", function () {
    if (region.value && !province.value) {
      province.value = provinceOf(region.value);
      update();
    }
  });
  update();
})();
