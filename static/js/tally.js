// The trade mission's big screen (/misi-dagang/<slug>/tally). Every few seconds it reads
// tally.json and puts the figures in place with textContent (never innerHTML: commodity
// names are typed by people). Numbers arrive formatted by the server ("Rp 147.321.766.000"),
// so this script knows nothing about languages or money. Bars are SVG rects whose width
// attribute is a percentage. Without JavaScript the page shows the figures it was served with.
(function () {
  "use strict";

  var root = document.querySelector("[data-tally-url]");
  if (!root || !window.fetch) { return; }
  var url = root.getAttribute("data-tally-url");
  var every = parseInt(root.getAttribute("data-poll-ms"), 10) || 4000;
  var status = root.querySelector("[data-tally-status]");
  var onlineText = status ? status.textContent : "";
  var offlineText = root.getAttribute("data-offline-text") || "";
  var list = root.querySelector("[data-tally-commodities]");
  var empty = root.querySelector("[data-tally-empty]");
  var template = root.querySelector("template[data-commodity-template]");
  var failures = 0;

  function setText(el, value) {
    var text = value === null || value === undefined ? "" : String(value);
    if (el && el.textContent !== text) { el.textContent = text; }
  }

  function setBar(scope, pct) {
    var rect = scope && scope.querySelector("[data-bar]");
    var width = Math.max(0, Math.min(100, Number(pct) || 0));
    if (rect) { rect.setAttribute("width", String(width)); }
  }

  function render(data) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-tally]"), function (el) {
      var key = el.getAttribute("data-tally");
      if (Object.prototype.hasOwnProperty.call(data, key)) { setText(el, data[key]); }
    });
    var target = root.querySelector(".tally-target");
    if (target && data.target_pct !== null) { setBar(target, data.target_pct); }
    (data.kinds || []).forEach(function (kind) {
      var row = root.querySelector('[data-kind="' + String(kind.kind).replace(/[^a-z_]/g, "") + '"]');
      if (!row) { return; }
      setText(row.querySelector('[data-field="value_text"]'), kind.value_text);
      setText(row.querySelector('[data-field="count"]'), kind.count);
      setText(row.querySelector('[data-field="share_pct"]'), kind.share_pct);
      setBar(row, kind.share_pct);
    });
    if (list && template) {
      var items = data.commodities || [];
      // Reuse rows, add or drop the difference: the list never flickers empty.
      while (list.children.length > items.length) { list.removeChild(list.lastElementChild); }
      while (list.children.length < items.length) {
        list.appendChild(template.content.firstElementChild.cloneNode(true));
      }
      items.forEach(function (item, i) {
        var li = list.children[i];
        setText(li.querySelector(".tally-c-name"), item.name);
        setText(li.querySelector(".tally-c-value"), item.value_text);
        setBar(li, item.bar_pct);
      });
      if (empty) { empty.hidden = items.length > 0; }
    }
  }

  function schedule() {
    // Back off while the server cannot be reached, up to half a minute.
    var wait = failures ? Math.min(30000, every * Math.pow(2, failures)) : every;
    window.setTimeout(poll, wait);
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        failures = 0;
        render(data);
        setText(status, onlineText);
        root.removeAttribute("data-offline");
        root.setAttribute("data-polls", String((parseInt(root.getAttribute("data-polls"), 10) || 0) + 1));
      })
      .catch(function () {
        failures += 1;
        setText(status, offlineText);
        root.setAttribute("data-offline", "");
      })
      .then(schedule);
  }

  poll();
})();
