// Keeps a public page's live region current (static/js/poll.js does the polling): swaps the region in
// place when the answer changed, keeping the scroll position; polls only while the page is visible.
// What changed since the reader looked is marked for a few seconds: a ranking row whose points changed
// (class "changed"), a rank that rose or fell with "↑2" / "↓1" beside it ("moved-up" / "moved-down").
// The marks are classes the stylesheet draws, without motion when the reader asks for less of it.
(function () {
  "use strict";
  var region = document.querySelector("[data-live]");
  var status = document.querySelector("[data-freshness]");
  if (!region || !status || !window.fetch || !window.cartelPoll) return;
  var MARKED_MS = 8000;

  function rows() {
    var found = {};
    region.querySelectorAll("table.ranking tr[data-school]").forEach(function (row) {
      var cells = row.children;
      found[row.getAttribute("data-school")] = {
        rank: parseInt(cells[0].textContent, 10),
        points: cells[2] ? cells[2].textContent.trim() : ""
      };
    });
    return found;
  }

  function mark(before) {
    var marked = [];
    region.querySelectorAll("table.ranking tr[data-school]").forEach(function (row) {
      var was = before[row.getAttribute("data-school")];
      if (!was) return;
      var cells = row.children, rank = parseInt(cells[0].textContent, 10);
      if (cells[2] && cells[2].textContent.trim() !== was.points) row.classList.add("changed");
      if (rank && was.rank && rank !== was.rank) {
        var delta = document.createElement("span");
        delta.className = "delta";
        delta.textContent = (rank < was.rank ? "\u2191" : "\u2193") + Math.abs(was.rank - rank);
        cells[0].appendChild(delta);
        row.classList.add(rank < was.rank ? "moved-up" : "moved-down");
      }
      if (row.classList.length) marked.push(row);
    });
    if (marked.length) {
      window.setTimeout(function () {
        marked.forEach(function (row) {
          row.classList.remove("changed", "moved-up", "moved-down");
          row.querySelectorAll(".delta").forEach(function (d) { d.remove(); });
        });
      }, MARKED_MS);
    }
  }

  window.cartelPoll({
    region: region,
    freshness: status,
    pauseWhenHidden: true,
    onChange: function (html) {
      var x = window.scrollX, y = window.scrollY, before = rows();
      region.innerHTML = html;
      mark(before);
      window.scrollTo(x, y);
    }
  });
})();
