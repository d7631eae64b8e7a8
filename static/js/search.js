// Typeahead for every search box with data-suggest (the header's, /cari's). The boxes are
// plain GET forms to /cari: without this script they still search.
(function () {
  "use strict";
  var DELAY = 120;

  function setup(input) {
    var form = input.form;
    var url = input.getAttribute("data-suggest") || "/api/search/suggest";
    var box = document.createElement("div");
    var listId = input.id + "-suggestions";
    box.className = "suggest-box";
    box.id = listId;
    box.setAttribute("role", "listbox");
    box.hidden = true;
    input.parentNode.appendChild(box);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    var timer = null;
    var pending = null;
    var active = -1;
    var lastQuery = null;

    function links() { return box.querySelectorAll("a"); }

    function close() {
      box.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function select(index) {
      var items = links();
      if (!items.length) { return; }
      if (active >= 0 && items[active]) { items[active].setAttribute("aria-selected", "false"); }
      active = (index + items.length) % items.length;
      items[active].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }

    function addGroup(title, entries, counter) {
      if (!entries || !entries.length) { return counter; }
      var head = document.createElement("div");
      head.className = "suggest-head";
      head.textContent = title;
      box.appendChild(head);
      entries.forEach(function (entry) {
        var a = document.createElement("a");
        a.href = entry.url;
        a.textContent = entry.name;  // text, never markup
        a.id = listId + "-" + counter;
        a.setAttribute("role", "option");
        a.setAttribute("aria-selected", "false");
        box.appendChild(a);
        counter += 1;
      });
      return counter;
    }

    function render(data) {
      box.textContent = "";
      active = -1;
      var labels = data.labels || {};
      var n = 0;
      n = addGroup(labels.products || "Produk", data.products, n);
      n = addGroup(labels.categories || "Kategori", data.categories, n);
      n = addGroup(labels.producers || "Produsen", data.producers, n);
      if (!n) { close(); return; }
      var all = document.createElement("a");
      all.href = data.search_url;
      all.className = "suggest-all";
      all.id = listId + "-" + n;
      all.setAttribute("role", "option");
      all.textContent = (labels.all || "Cari") + " “" + data.query + "”";
      box.appendChild(all);
      box.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function fetchSuggestions() {
      var query = input.value;
      if (query.trim().length < 2) { lastQuery = null; close(); return; }
      if (query === lastQuery) { return; }
      lastQuery = query;
      if (pending && pending.abort) { pending.abort(); }
      var controller = window.AbortController ? new AbortController() : null;
      pending = controller;
      fetch(url + "?q=" + encodeURIComponent(query), {
        headers: { "Accept": "application/json" },
        signal: controller ? controller.signal : undefined
      }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (data) {
        if (data && input.value === query) { render(data); }
      }).catch(function () { /* offline or aborted: the form still works */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, DELAY);
    });
    input.addEventListener("keydown", function (event) {
      if (box.hidden) { return; }
      if (event.key === "ArrowDown") { event.preventDefault(); select(active + 1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); select(active - 1); }
      else if (event.key === "Escape") { close(); }
      else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        window.location.href = links()[active].href;
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    input.addEventListener("focus", function () { if (box.childNodes.length && input.value.trim().length >= 2) { box.hidden = false; input.setAttribute("aria-expanded", "true"); } });
    if (form) { form.addEventListener("submit", close); }
  }

  document.querySelectorAll("input[data-suggest]").forEach(setup);
})();
