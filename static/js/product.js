// Variant picker and gallery on the product page. Without this script the variant
// links reload the page with ?variant=ID, and thumbnails open the larger photo.
(function () {
  "use strict";
  var dataNode = document.getElementById("variant-data");
  var variants = dataNode ? JSON.parse(dataNode.textContent) : [];
  var byId = {};
  variants.forEach(function (v) { byId[String(v.id)] = v; });

  function setText(selector, text) {
    var node = document.querySelector(selector);
    if (node) { node.textContent = text; }
  }

  function show(variant) {
    setText("[data-price]", variant.price);
    setText("[data-weight]", variant.weight);
    setText("[data-sku]", variant.sku);
    var stock = document.querySelector("[data-stock]");
    if (stock) {
      stock.textContent = "";
      if (variant.stock > 0) {
        stock.textContent = variant.stock_text;
      } else {
        var badge = document.createElement("span");
        badge.className = "badge badge-out";
        badge.textContent = variant.stock_text;
        stock.appendChild(badge);
      }
    }
    var minRow = document.querySelector("[data-minorder-row]");
    if (minRow) {
      minRow.hidden = variant.min_order <= 1;
      setText("[data-minorder]", variant.min_order_text);
    }
    var tiers = document.querySelector("[data-tiers]");
    var body = document.querySelector("[data-tiers-body]");
    if (tiers && body) {
      body.textContent = "";
      variant.tiers.forEach(function (tier) {
        var row = document.createElement("tr");
        tier.forEach(function (cell) {
          var td = document.createElement("td");
          td.textContent = cell;
          row.appendChild(td);
        });
        body.appendChild(row);
      });
      tiers.hidden = variant.tiers.length === 0;
    }
  }

  // The "add to cart" form follows the chosen variant: its select and the quantity
  // (the variant's minimum order). Without this script the select is chosen by hand.
  var cartVariant = document.querySelector("[data-cart-variant]");
  var cartQuantity = document.querySelector("[data-cart-quantity]");

  function choose(variant) {
    document.querySelectorAll("[data-variant]").forEach(function (other) {
      var current = other.getAttribute("data-variant") === String(variant.id);
      other.classList.toggle("selected", current);
      if (current) { other.setAttribute("aria-current", "true"); } else { other.removeAttribute("aria-current"); }
    });
    show(variant);
    if (cartVariant && variant.stock > 0) { cartVariant.value = String(variant.id); }
    if (cartQuantity && variant.stock > 0) { cartQuantity.value = variant.min_order; }
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", "?variant=" + variant.id);
    }
  }

  document.querySelectorAll("[data-variant]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var variant = byId[link.getAttribute("data-variant")];
      if (!variant) { return; }
      event.preventDefault();
      choose(variant);
    });
  });

  if (cartVariant) {
    cartVariant.addEventListener("change", function () {
      var variant = byId[cartVariant.value];
      if (variant) { choose(variant); }
    });
  }

  var main = document.querySelector("[data-gallery-main]");
  document.querySelectorAll("[data-gallery-thumb]").forEach(function (thumb) {
    thumb.addEventListener("click", function (event) {
      if (!main) { return; }
      event.preventDefault();
      main.src = thumb.getAttribute("href");
      var img = thumb.querySelector("img");
      if (img) { main.alt = img.alt; }
      document.querySelectorAll("[data-gallery-thumb]").forEach(function (other) {
        other.removeAttribute("aria-current");
      });
      thumb.setAttribute("aria-current", "true");
    });
  });
})();
