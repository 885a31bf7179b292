// The entry pages without friction; every form works without this file.
// - keeps what an organiser typed in the entry form across a failed submission or a reload
//   (sessionStorage, this tab only), saying so when it restores it, with a button to drop it;
// - never offers a row's own school as its joint-team partner;
// - while a save is in flight, disables the buttons and says "Saving…"; the save itself goes through
//   the outbox (outbox.js), which keeps it on the phone until it is sent;
// - focuses the error summary of a form shown again with problems, and its links lead to the place
//   each problem concerns (its fold opened, the focus on its choices).
(function () {
  "use strict";

  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var target = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!target) return;
      event.preventDefault();
      var fold = target.closest("details");
      if (fold) fold.open = true;
      target.scrollIntoView({block: "start"});
      var input = target.querySelector(".choices input:checked") || target.querySelector(".choices input");
      if (input) input.focus({preventScroll: true});
    });
  }

  // The saving state. The pressed button's name and value go along as a hidden field: a disabled
  // button is not sent, and "state" (provisional or final) comes from the pressed button.
  var forms = document.querySelectorAll("form[data-saving]");
  function idle(form) {
    delete form.dataset.sending;
    form.removeAttribute("aria-busy");
    form.querySelectorAll("input[data-submitter]").forEach(function (input) { input.remove(); });
    form.querySelectorAll("button").forEach(function (button) {
      button.disabled = false;
      button.classList.remove("busy");
      if (button.dataset.label) button.textContent = button.dataset.label;
    });
    var status = form.querySelector("[data-saving-status]");
    if (status) status.textContent = "";
  }
  forms.forEach(function (form) {
    form.addEventListener("submit", function (event) {
      // A double tap sends one request; the server also ignores a repeated submission id.
      if (form.dataset.sending) { event.preventDefault(); return; }
      var offline = form.querySelector("[data-saving-status]");
      if (navigator.onLine === false && !form.hasAttribute("data-outbox") && offline) {
        // a confirmation is not kept on the phone: said, rather than the browser's error page
        event.preventDefault();
        offline.textContent = offline.dataset.offline;
        return;
      }
      form.dataset.sending = "1";
      var status = form.querySelector("[data-saving-status]");
      var text = status ? status.dataset.text : "";
      var submitter = event.submitter;
      if (submitter && submitter.name) {
        var copy = document.createElement("input");
        copy.type = "hidden";
        copy.name = submitter.name;
        copy.value = submitter.value;
        copy.setAttribute("data-submitter", "");
        form.appendChild(copy);
      }
      form.setAttribute("aria-busy", "true");
      form.querySelectorAll("button").forEach(function (button) { button.disabled = true; });
      if (submitter && text) {
        submitter.dataset.label = submitter.textContent;
        submitter.textContent = text;
        submitter.classList.add("busy");
      }
      if (status) status.textContent = text;
      var outbox = window.cartelOutbox;
      var sending = outbox && outbox.takes(form) ? outbox.submit(form) : null;
      if (sending) {
        event.preventDefault();
        sending.then(function (leaving) { if (!leaving) idle(form); }, function () { idle(form); });
        return;
      }
      // No answer after 20 s (the network is gone): let the organiser try again; the same
      // submission id makes a retry save once.
      setTimeout(function () { idle(form); }, 20000);
    });
  });
  // Back to a page kept in the browser's memory: its buttons must work again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) forms.forEach(idle);
  });

  var saved = document.querySelector("[data-saved]");
  if (saved) {
    Object.keys(sessionStorage).forEach(function (key) {
      if (key.indexOf("cartel-draft:" + saved.dataset.saved + "-") === 0) sessionStorage.removeItem(key);
    });
    return;
  }
  var form = document.querySelector("form[data-draft]") || document.querySelector("form.entry");
  if (!form) return;

  // A joint team: the row's partners never include its own school.
  function partnersFollow(row) {
    var chosen = form.querySelector("input[name='row-" + row + "-school']:checked");
    var main = chosen ? chosen.value : "";
    form.querySelectorAll("input[name='row-" + row + "-partners']").forEach(function (input) {
      var own = input.value === main;
      if (own) input.checked = false;
      input.hidden = own;
      var label = form.querySelector("label[for='" + input.id + "']");
      if (label) label.hidden = own;
    });
  }
  function allPartnersFollow() {
    form.querySelectorAll("[data-partners]").forEach(function (box) { partnersFollow(box.dataset.partners); });
  }
  form.addEventListener("change", function (event) {
    var match = /^row-(\d+)-school$/.exec(event.target.name || "");
    if (match) partnersFollow(match[1]);
  });

  if (!form.dataset.draft) return;
  var key = "cartel-draft:" + form.dataset.draft;
  var fields = "input[type=radio], input[type=checkbox]";
  var draft = sessionStorage.getItem(key);
  if (form.dataset.outboxRestored) {
    allPartnersFollow(); // a result waiting in the outbox is shown, not the draft
  } else if (draft && !document.querySelector(".error, [data-error-summary]")) {
    try {
      var state = JSON.parse(draft);
      var changed = false;
      form.querySelectorAll(fields).forEach(function (input) {
        var id = input.name + "=" + input.value;
        if (id in state && input.checked !== state[id]) {
          input.checked = state[id];
          changed = true;
        }
      });
      allPartnersFollow();
      // never silently: a restored draft says so, and can be dropped for the result as saved
      var notice = document.querySelector("[data-draft-notice]");
      if (changed && notice) {
        notice.hidden = false;
        notice.querySelector("[data-draft-discard]").addEventListener("click", function () {
          sessionStorage.removeItem(key);
          window.location.reload();
        });
      }
    } catch (e) { sessionStorage.removeItem(key); }
  }
  form.addEventListener("change", function () {
    var state = {};
    form.querySelectorAll(fields).forEach(function (input) { state[input.name + "=" + input.value] = input.checked; });
    sessionStorage.setItem(key, JSON.stringify(state));
  });
})();
