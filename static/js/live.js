// Keeps a public page's live region current. It polls the region's fragment URL with the ETag it
// holds (a 304 when nothing changed costs the server one small query), swaps the region in place
// when the answer changed, keeps the scroll position, tells how fresh the page is and shows plainly
// when the server cannot be reached. Without JavaScript the page shows the ranking as loaded.
(function () {
  "use strict";
  var region = document.querySelector("[data-live]");
  var status = document.querySelector("[data-freshness]");
  if (!region || !status || !window.fetch) return;
  var ago = status.querySelector("[data-ago]");
  var lost = status.querySelector("[data-lost]");
  var url = region.getAttribute("data-live");
  var etag = region.getAttribute("data-etag");
  var every = Math.max(1, Number(region.getAttribute("data-interval")) || 10) * 1000;
  var lastContact = Date.now();
  var failing = false;
  var timer = null;
  var busy = false;

  function show() {
    var seconds = Math.max(0, Math.round((Date.now() - lastContact) / 1000));
    ago.textContent = seconds < 120
      ? ago.getAttribute("data-seconds").replace("{n}", seconds)
      : ago.getAttribute("data-minutes").replace("{n}", Math.floor(seconds / 60));
    lost.hidden = !failing;
    status.classList.toggle("offline", failing);
  }

  function swap(html) {
    var x = window.scrollX, y = window.scrollY;
    region.innerHTML = html;
    window.scrollTo(x, y);
  }

  function later(delay) {
    clearTimeout(timer);
    timer = setTimeout(poll, delay);
  }

  function poll() {
    if (busy) return;
    if (document.hidden) { later(every); return; }
    busy = true;
    var controller = window.AbortController ? new AbortController() : null;
    var deadline = setTimeout(function () { if (controller) controller.abort(); }, Math.max(every, 5000));
    fetch(url, { headers: { "If-None-Match": etag }, cache: "no-store", credentials: "same-origin",
                 signal: controller ? controller.signal : undefined })
      .then(function (response) {
        if (response.status === 304) return null;
        if (!response.ok) throw new Error("HTTP " + response.status);
        etag = response.headers.get("ETag") || etag;
        return response.text();
      })
      .then(function (html) {
        if (html !== null) swap(html);
        failing = false;
        lastContact = Date.now();
      })
      .catch(function () { failing = true; })
      .then(function () {
        clearTimeout(deadline);
        busy = false;
        show();
        later(every);
      });
  }

  status.hidden = false;
  show();
  setInterval(show, 1000);
  later(every);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) later(0); });
  window.addEventListener("online", function () { later(0); });
  window.addEventListener("offline", function () { failing = true; show(); });
})();
