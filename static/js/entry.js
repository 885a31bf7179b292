// Keeps what an organiser typed in the entry form across a failed submission or a reload
// (sessionStorage, this tab only). The form works without it.
(function () {
  "use strict";
  var saved = document.querySelector("[data-saved]");
  if (saved) {
    Object.keys(sessionStorage).forEach(function (key) {
      if (key.indexOf("cartel-draft:" + saved.dataset.saved + "-") === 0) sessionStorage.removeItem(key);
    });
    return;
  }
  var form = document.querySelector("form[data-draft]");
  if (!form) return;
  var key = "cartel-draft:" + form.dataset.draft;
  var fields = "input[type=radio], input[type=checkbox]";
  var draft = sessionStorage.getItem(key);
  if (draft && !document.querySelector(".error")) {
    try {
      var state = JSON.parse(draft);
      form.querySelectorAll(fields).forEach(function (input) {
        var id = input.name + "=" + input.value;
        if (id in state) input.checked = state[id];
      });
    } catch (e) { sessionStorage.removeItem(key); }
  }
  form.addEventListener("change", function () {
    var state = {};
    form.querySelectorAll(fields).forEach(function (input) { state[input.name + "=" + input.value] = input.checked; });
    sessionStorage.setItem(key, JSON.stringify(state));
  });
  // A double tap sends one request; the server also ignores a repeated submission id.
  form.addEventListener("submit", function (event) {
    if (form.dataset.sending) { event.preventDefault(); return; }
    form.dataset.sending = "1";
    setTimeout(function () { delete form.dataset.sending; }, 8000);
  });
})();
