// Keeps a public page's live region current (static/js/poll.js does the polling): swaps the region in
// place when the answer changed, keeping the scroll position; polls only while the page is visible.
(function () {
  "use strict";
  var region = document.querySelector("[data-live]");
  var status = document.querySelector("[data-freshness]");
  if (!region || !status || !window.fetch || !window.cartelPoll) return;
  window.cartelPoll({
    region: region,
    freshness: status,
    pauseWhenHidden: true,
    onChange: function (html) {
      var x = window.scrollX, y = window.scrollY;
      region.innerHTML = html;
      window.scrollTo(x, y);
    }
  });
})();
