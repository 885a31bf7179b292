// The venue's big screen: needs no mouse or keyboard. The panels take turns every data-rotate seconds
// (?rotate=N in the address overrides it); a panel with a [data-rows] box is cut into pages that fit the
// screen, measured here, each page a turn of its own. Every data-interval seconds it asks for the panels'
// fragment with the ETag it holds (the server answers 304 while nothing changed, like the live pages);
// when the latest result changed, that result's panel is shown at once for two turns (at most once per
// full rotation), then the rotation starts again from the ranking. A red banner says so while the server
// cannot be reached.
(function () {
  "use strict";
  var root = document.getElementById("screen");
  var stage = document.querySelector("[data-live]");
  var fresh = document.querySelector("[data-freshness]");
  if (!root || !stage || !fresh || !window.fetch || !window.cartelPoll) return;
  var pagerText = root.getAttribute("data-pager");

  function seconds(value, fallback) {
    var n = Number(value);
    return value !== null && isFinite(n) && n > 0 ? Math.max(0.5, n) : fallback;
  }
  var rotate = seconds(new URLSearchParams(location.search).get("rotate"),
                       seconds(root.getAttribute("data-rotate"), 10)) * 1000;
  var hold = 2 * rotate;

  var steps = [];        // {panel, name, page, pages, range, total}
  var current = 0;       // index in steps of the panel shown, unless interrupted
  var interrupted = false;
  var turn = null;
  var latestKey = keyOf();
  var lastInterruption = -Infinity;

  function keyOf() {
    var panels = stage.querySelector("[data-latest-key]");
    return panels ? panels.getAttribute("data-latest-key") : "";
  }

  function panels() { return Array.prototype.slice.call(stage.querySelectorAll("[data-panel]")); }

  function rowsOf(panel) {
    var box = panel.querySelector("[data-rows]");
    return box ? Array.prototype.slice.call(box.children) : [];
  }

  // [first, end) row ranges that fit the panel's box, measured with every row shown in the panel
  // displayed but invisible (one panel at a time: they all stand in the same place). As few pages as
  // fit, then evened out when even pages fit too (12 rows: 6 and 6 rather than 11 and 1).
  function paginate(panel) {
    var rows = rowsOf(panel), fit = panel.querySelector("[data-fit]");
    if (!rows.length || !fit) return [null];
    panel.hidden = false;
    panel.classList.add("measuring");
    rows.forEach(function (row) { row.hidden = false; });
    var boxes = rows.map(function (row) { return row.getBoundingClientRect(); });
    var room = fit.getBoundingClientRect().bottom - boxes[0].top + 0.5;
    panel.classList.remove("measuring");
    panel.hidden = true;
    function fits(first, end) { return boxes[end - 1].bottom - boxes[first].top <= room; }
    var pages = [], start = 0;
    for (var i = 1; i < rows.length; i++) {
      if (!fits(start, i + 1)) {
        pages.push([start, i]);
        start = i;
      }
    }
    pages.push([start, rows.length]);
    var even = [], size = Math.ceil(rows.length / pages.length);
    for (var first = 0; first < rows.length; first += size) even.push([first, Math.min(first + size, rows.length)]);
    var ok = even.length === pages.length && even.every(function (page) { return fits(page[0], page[1]); });
    return ok ? even : pages;
  }

  function build() {
    steps = [];
    panels().forEach(function (panel) {
      panel.hidden = true;
      if (panel.getAttribute("data-rotation") === "off") return;
      var pages = paginate(panel), total = rowsOf(panel).length;
      pages.forEach(function (range, k) {
        steps.push({ panel: panel, name: panel.getAttribute("data-panel"), page: k, pages: pages.length,
                     range: range, total: total });
      });
    });
  }

  function display(step) {
    panels().forEach(function (panel) { panel.hidden = panel !== step.panel; });
    rowsOf(step.panel).forEach(function (row, i) {
      row.hidden = step.range !== null && (i < step.range[0] || i >= step.range[1]);
    });
    var pager = step.panel.querySelector("[data-pager]");
    if (pager) {
      pager.textContent = step.pages > 1
        ? pagerText.replace("{first}", step.range[0] + 1).replace("{last}", step.range[1]).replace("{total}", step.total)
        : "";
    }
    root.setAttribute("data-showing", step.name + ":" + step.page);
  }

  function later(delay, then) {
    clearTimeout(turn);
    turn = setTimeout(then, delay);
  }

  function next() {
    interrupted = false;
    current = steps.length ? (current + 1) % steps.length : 0;
    if (steps.length) display(steps[current]);
    later(rotate, next);
  }

  function showNew() {
    var panel = stage.querySelector('[data-panel="new"]');
    if (!panel) return false;
    display({ panel: panel, name: "new", page: 0, pages: 1, range: null, total: 0 });
    return true;
  }

  // The same panel and page as before when they still exist (the page count may have changed).
  function redisplay(name, page) {
    if (interrupted && showNew()) return;
    interrupted = false;
    var same = steps.filter(function (s) { return s.name === name; });
    var step = same.length ? same[Math.min(page, same.length - 1)] : steps[0];
    current = Math.max(0, steps.indexOf(step));
    if (steps.length) display(steps[current]);
  }

  function swap(html) {
    var was = steps[current] || { name: "", page: 0 };
    stage.innerHTML = html;
    build();
    var key = keyOf();
    // A new result interrupts the rotation at most once per full rotation: results arriving faster
    // only refresh what is shown, and the ranking comes back right after each interruption, so that it
    // is on screen at least once a rotation however fast results come.
    var cycle = Math.max(hold + rotate, steps.length * rotate);
    if (key && key !== latestKey && !interrupted && Date.now() - lastInterruption >= cycle && showNew()) {
      latestKey = key;
      interrupted = true;
      lastInterruption = Date.now();
      current = -1;  // then the ranking's first page
      later(hold, next);
      return;
    }
    latestKey = key;
    redisplay(was.name, was.page);
  }

  function awake() {  // keep the screen from going to sleep, where the browser allows it
    if (navigator.wakeLock) navigator.wakeLock.request("screen").catch(function () {});
  }

  build();
  if (steps.length) display(steps[0]);
  later(rotate, next);
  window.cartelPoll({ region: stage, freshness: fresh, offline: root, onChange: swap });  // js/poll.js
  awake();
  window.addEventListener("resize", function () {
    var was = steps[current] || { name: "", page: 0 };
    build();
    redisplay(was.name, was.page);
  });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) awake(); });
})();
