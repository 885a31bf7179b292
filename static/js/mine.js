// "My school": the school a visitor chose (the cartel_school cookie, set by /my-school/<slug>) is marked
// wherever the page names it ([data-school] holds the slugs of a row's schools), also after a live region
// changes. The pages themselves are the same for everyone, so they stay cached and shared.
(function () {
  "use strict";
  var found = document.cookie.match(/(?:^|;\s*)cartel_school=([a-z0-9-]+)/);
  if (!found) return;
  var mine = found[1];
  function mark() {
    document.querySelectorAll("[data-school]").forEach(function (el) {
      var schools = (el.getAttribute("data-school") || "").split(/\s+/);
      el.classList.toggle("mine", schools.indexOf(mine) >= 0);
    });
  }
  mark();
  var live = document.querySelector("[data-live]");
  if (live && window.MutationObserver) new MutationObserver(mark).observe(live, { childList: true });
})();
