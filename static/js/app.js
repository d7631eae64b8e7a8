// Small progressive enhancements shared by every page. Pages work without them.
(function () {
  "use strict";
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
    var fallback = select.form.querySelector("noscript");
    if (fallback) { fallback.remove(); }
  });
  // Filters start folded on phones, open on wide screens.
  var filters = document.querySelector(".filters details");
  if (filters && window.matchMedia("(max-width: 799px)").matches) {
    filters.open = false;
  }
})();
