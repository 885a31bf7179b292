// The print button of the entry-link sheet: a static file, as the pages allow no inline script.
// Without JavaScript the button stays hidden and the browser's own Print does the same.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
