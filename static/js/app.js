// Small progressive enhancements shared by every page. Pages work without them.
(function () {
  "use strict";
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
    var fallback = select.form.querySelector("noscript");
    if (fallback) { fallback.remove(); }
  });
  // Filters are folded in the HTML (phones first); wide screens open them.
  var filters = document.querySelector(".filters details");
  if (filters && window.matchMedia("(min-width: 800px)").matches) {
    filters.open = true;
  }
})();
