// The payment page. Works without it: the status has a reload link, and test cards are
// plain form buttons. With Stripe keys, Stripe.js (loaded before this file) mounts the
// Payment Element; the order is marked paid only by the server's webhook, never here.
(function () {
  "use strict";

  // Poll the order's status (from the database) and reload the page when it moves.
  var page = document.querySelector("[data-status-url]");
  if (page && window.fetch) {
    var url = page.getAttribute("data-status-url");
    var current = page.getAttribute("data-status");
    var tries = 0;
    var poll = function () {
      tries += 1;
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (data && data.status !== current) { window.location.reload(); return; }
          if (tries < 60) { window.setTimeout(poll, tries < 15 ? 2000 : 5000); }
        })
        .catch(function () { if (tries < 60) { window.setTimeout(poll, 5000); } });
    };
    window.setTimeout(poll, 1500);
  }

  var root = document.querySelector("[data-stripe-payment]");
  if (!root || typeof window.Stripe !== "function") { return; }
  var stripe = window.Stripe(root.getAttribute("data-publishable-key"));
  var clientSecret = root.getAttribute("data-client-secret");
  var errorBox = root.querySelector("[data-payment-error]");
  var button = root.querySelector("[data-pay-button]");
  if (root.hasAttribute("data-next-action")) {
    // The bank asks for 3D Secure on a payment already confirmed.
    stripe.handleNextAction({ clientSecret: clientSecret }).then(function () { window.location.reload(); });
    return;
  }
  var elements = stripe.elements({ clientSecret: clientSecret, locale: root.getAttribute("data-locale") || "auto" });
  var element = elements.create("payment");
  element.mount("#payment-element");
  element.on("ready", function () { button.disabled = false; });
  root.querySelector("form").addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    errorBox.textContent = "";
    stripe.confirmPayment({
      elements: elements,
      confirmParams: { return_url: root.getAttribute("data-return-url") }
    }).then(function (result) {
      // Only reached on an error; success leaves for return_url (this same page).
      if (result.error) { errorBox.textContent = result.error.message || ""; button.disabled = false; }
    });
  });
})();
