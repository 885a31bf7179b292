// Keeps a live region current, for the live pages (live.js) and the big screen (screen.js). It polls
// the region's fragment URL with the ETag it holds (a 304 when nothing changed costs the server one
// small query), hands a changed answer to onChange, tells how fresh the page is and shows plainly when
// the server cannot be reached. Without JavaScript the page shows what it was loaded with.
window.cartelPoll = function (options) {
  "use strict";
  var region = options.region;              // [data-live]: fragment URL, data-etag, data-interval
  var status = options.freshness;           // [data-freshness]: holds [data-ago] and [data-lost]
  var offline = options.offline || status;  // gets the "offline" class while the server is unreachable
  var ago = status.querySelector("[data-ago]");
  var lost = status.querySelector("[data-lost]") || document.querySelector("[data-lost]");
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
    offline.classList.toggle("offline", failing);
  }

  function later(delay) {
    clearTimeout(timer);
    timer = setTimeout(poll, delay);
  }

  function poll() {
    if (busy) return;
    if (options.pauseWhenHidden && document.hidden) { later(every); return; }
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
        if (html !== null) options.onChange(html);
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
};
