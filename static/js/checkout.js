// Recalculate the checkout when an address or courier changes (the button does it without JS).
document.addEventListener("change", function (event) {
  if (!event.target.matches("[data-autosubmit]")) return;
  var button = document.querySelector("[data-recalculate]");
  if (button) button.click();
});
