// The outbox of the entry pages: a result saved from an entry form (form[data-outbox]) is kept on this
// phone (localStorage) with its submission id until the server has said that it is saved. Sent at once;
// when the network fails or the answer never comes, the form and the top of each entry page say that it
// is not sent yet, and it is sent again by itself: when the connection comes back (the "online" event),
// on a timer (2 s, 4 s, 8 s... up to every minute), when the phone shows the page again, and from the
// next entry page opened. No Background Sync (iPhones have none). The same submission id and content
// make a retry save once (the server answers it with the same "saved" page).
// - an ended session (the save leads to the login page) or a revoked link (410) keeps the result and
//   says what to do; it is sent from the next entry page opened once logged in or with a new link;
// - a form that outlived its CSRF token (400): a fresh token from the form page, and sent once more;
// - a result the server refuses (a mistake, a conflict): shown as the server answers it, to decide;
// - a result is sent only by whoever typed it (data-owner: an account, or an entry link).
// Also registers the service worker (static/js/sw.js) that keeps the entry pages for offline use.
// Without this file (or without storage), the forms post as any form does. Its words come from the
// attributes of #outbox (base.html), in the reader's language.
(function () {
  "use strict";

  var KEY = "cartel-outbox"; // the results not sent yet
  var SENT = "cartel-outbox-sent"; // the submission ids sent lately, with their content
  var DELAYS = [2, 4, 8, 16, 30, 60]; // seconds before each new try, then every minute
  var ANSWER_WITHIN = 15000; // ms: no answer by then, and the answer is taken as lost

  var box = document.getElementById("outbox");
  if (!box) return;
  var words = box.dataset;
  var owner = words.owner || "";
  var loginPath = new URL(words.login, location.href).pathname;
  var keptAt = document.documentElement.getAttribute("data-offline-copy");
  var sentHere = []; // results sent while this page was open: {label, url, slug}
  var flushing = false, timer = null, shown = null;

  registerWorker();

  function storageWorks() {
    try {
      localStorage.setItem(KEY + "-probe", "1");
      localStorage.removeItem(KEY + "-probe");
      return true;
    } catch (e) { return false; }
  }
  if (!storageWorks() || !window.fetch || !window.URLSearchParams || !window.FormData) return;

  // --- what is kept ------------------------------------------------------------------------------
  function read(key) {
    try { return JSON.parse(localStorage.getItem(key)) || []; } catch (e) { return []; }
  }
  function load() { return read(KEY); }
  function find(id) { return load().filter(function (i) { return i.id === id; })[0] || null; }
  function put(item) {
    var items = load().filter(function (i) { return i.id !== item.id; });
    items.push(item);
    localStorage.setItem(KEY, JSON.stringify(items));
  }
  function drop(id) {
    localStorage.setItem(KEY, JSON.stringify(load().filter(function (i) { return i.id !== id; })));
  }
  function remember(item) {
    var sent = read(SENT).filter(function (s) { return s.id !== item.id; });
    sent.push({id: item.id, content: item.content});
    localStorage.setItem(SENT, JSON.stringify(sent.slice(-50)));
  }
  function wasSent(id) { return read(SENT).filter(function (s) { return s.id === id; })[0] || null; }

  function fieldsOf(form) {
    var pairs = [];
    new FormData(form).forEach(function (value, name) { if (typeof value === "string") pairs.push([name, value]); });
    return pairs;
  }
  function valueOf(fields, name) {
    for (var k = 0; k < fields.length; k++) if (fields[k][0] === name) return fields[k][1];
    return "";
  }
  function withValue(fields, name, value) {
    return fields.map(function (pair) { return pair[0] === name ? [name, value] : pair; });
  }
  // What a result says, whatever its submission id and CSRF token.
  function contentOf(fields) {
    return JSON.stringify(fields.filter(function (p) { return p[0] !== "csrf_token" && p[0] !== "submission_id"; }));
  }
  function newId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }
  function newSubmission(form) {
    var input = form.querySelector("input[name=submission_id]");
    if (input) input.value = newId();
  }

  // --- sending -----------------------------------------------------------------------------------
  function request(url, init) {
    init.credentials = "same-origin";
    init.cache = "no-store";
    init.redirect = "follow";
    var controller = window.AbortController ? new AbortController() : null, timeout = null;
    if (controller) {
      init.signal = controller.signal;
      timeout = setTimeout(function () { controller.abort(); }, ANSWER_WITHIN);
    }
    return fetch(url, init).then(
      function (response) { clearTimeout(timeout); return response; },
      function (error) { clearTimeout(timeout); throw error; }
    );
  }

  // What an answer means for a kept result, when it settles it: saved, or not sendable as things are.
  function meaning(response) {
    var path = new URL(response.url, location.href).pathname;
    if (response.redirected && path === loginPath) return {kind: "session"};
    if (response.status === 410) return {kind: "link"};
    if (response.redirected && /\/saved\/\d+$/.test(path)) return {kind: "saved", url: response.url};
    return null;
  }

  // A fresh CSRF token from the result's form page (or why there is none).
  function freshToken(item) {
    return request(item.action, {method: "GET"}).then(function (response) {
      var settled = meaning(response);
      if (settled) return settled;
      if (!response.ok) return {kind: response.status >= 500 ? "retry" : "refused", status: response.status};
      return response.text().then(function (html) {
        var input = new DOMParser().parseFromString(html, "text/html").querySelector("input[name=csrf_token]");
        return input ? input.value : {kind: "refused", status: 400};
      });
    });
  }

  function deliver(item, refreshed) {
    return request(item.action, {method: "POST", body: new URLSearchParams(item.fields)}).then(function (response) {
      var settled = meaning(response);
      if (settled) return settled;
      if (response.status === 400 && !refreshed) {
        // the form outlived its CSRF token (the server showed it again): a fresh one, and once more
        return freshToken(item).then(function (token) {
          if (typeof token !== "string") return token;
          item.fields = withValue(item.fields, "csrf_token", token);
          put(item);
          return deliver(item, true);
        });
      }
      if (response.status >= 500 || response.status === 408 || response.status === 429) {
        return {kind: "retry", status: response.status};
      }
      return {kind: "refused", status: response.status};
    });
  }

  function delay(tries) {
    var seconds = DELAYS[Math.min(tries, DELAYS.length) - 1] || DELAYS[DELAYS.length - 1];
    return seconds * 1000 * (0.8 + Math.random() * 0.4);
  }

  // One try at sending a kept result; true when the page is being left for the server's answer.
  function attempt(item, foreground) {
    item.status = "sending";
    item.since = Date.now();
    put(item);
    return deliver(item, false)
      .catch(function () { return {kind: "retry"}; })
      .then(function (outcome) {
        if (outcome.kind === "saved") {
          drop(item.id);
          remember(item);
          if (foreground) {
            location.assign(outcome.url);
            return true;
          }
          sentHere.push({label: item.label, url: outcome.url, slug: item.slug});
          render();
          return false;
        }
        if (!find(item.id)) return false; // discarded meanwhile
        if (outcome.kind === "retry") {
          item.tries = (item.tries || 0) + 1;
          item.nextAt = Date.now() + delay(item.tries);
          item.status = "waiting";
        } else {
          item.status = outcome.kind;
          item.answer = outcome.status || 0;
        }
        put(item);
        if (outcome.kind === "refused" && foreground) {
          open(item);
          return true;
        }
        render();
        schedule();
        return false;
      });
  }

  // The server's own answer to a refused result, as a plain post of it shows it (the form again
  // with what is wrong, or the conflict to decide): nothing is saved by it, and the page shows the
  // result as typed.
  function open(item) {
    drop(item.id);
    var form = document.createElement("form");
    form.method = "post";
    form.action = item.action;
    form.hidden = true;
    item.fields.forEach(function (pair) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = pair[0];
      input.value = pair[1];
      form.appendChild(input);
    });
    document.body.appendChild(form);
    HTMLFormElement.prototype.submit.call(form);
  }

  // A result saved from an entry form: kept, then sent. Resolves to true when the page is being left
  // (saved: its page; refused: the server's answer); null when it cannot be kept (the form then posts).
  function submit(form) {
    var fields = fieldsOf(form), id = valueOf(fields, "submission_id"), content = contentOf(fields);
    var kept = find(id), sent = wasSent(id);
    if (!id || (kept && kept.content !== content) || (!kept && sent && sent.content !== content)) {
      // another result under an id already used (changed after a failed try, or a page shown again)
      id = newId();
      fields = withValue(fields, "submission_id", id);
      var input = form.querySelector("input[name=submission_id]");
      if (input) input.value = id;
    }
    var slug = form.dataset.outbox;
    var item = {
      id: id, slug: slug, label: form.dataset.label || slug, action: form.action, owner: owner,
      fields: fields, content: content, status: "waiting", tries: 0, nextAt: 0, at: Date.now()
    };
    try {
      // this result replaces whatever was waiting for the same discipline
      load().forEach(function (other) {
        if (other.slug === slug && other.owner === owner && other.id !== id) drop(other.id);
      });
      put(item);
    } catch (e) { return null; }
    return attempt(item, true);
  }

  function waitingTooLong(item) { return item.status === "sending" && Date.now() - (item.since || 0) > ANSWER_WITHIN + 5000; }

  // Sends what is due: "due" (the timer), "now" (back online, the page shown again: every waiting
  // result), "all" (an entry page opened: also those that waited for a login or a new link).
  function flush(mode) {
    if (flushing || !owner) return;
    if (navigator.onLine === false) { // the "online" event will say when; a look now and then all the same
      clearTimeout(timer);
      timer = setTimeout(function () { flush("due"); }, 30000);
      return;
    }
    flushing = true;
    var run = function () {
      var now = Date.now();
      var due = load().filter(function (item) {
        if (item.owner !== owner) return false;
        if (item.status === "waiting" || waitingTooLong(item)) return mode !== "due" || (item.nextAt || 0) <= now;
        return mode === "all" && (item.status === "session" || item.status === "link");
      });
      return due.reduce(function (chain, item) {
        return chain.then(function () {
          var current = find(item.id);
          if (current && (current.status !== "sending" || waitingTooLong(current))) return attempt(current, false);
        });
      }, Promise.resolve());
    };
    var done = navigator.locks ? navigator.locks.request(KEY, run) : run();
    done.catch(function () {}).then(function () {
      flushing = false;
      render();
      schedule();
    });
  }

  function schedule() {
    clearTimeout(timer);
    var due = load().filter(function (i) { return i.owner === owner && i.status === "waiting"; })
      .map(function (i) { return i.nextAt || 0; });
    if (!due.length) return;
    timer = setTimeout(function () { flush("due"); }, Math.max(0, Math.min.apply(null, due) - Date.now()) + 50);
  }

  // --- what the page says ------------------------------------------------------------------------
  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text) node.textContent = text;
    return node;
  }

  function situation(item) {
    if (owner && item.owner !== owner) return {text: words.other, css: "blocked"};
    if (item.status === "session") return {text: words.session, css: "blocked"};
    if (item.status === "link") return {text: words.linkGone, css: "blocked"};
    if (item.status === "refused") return {text: words.refused, css: "blocked"};
    return {text: words.waiting, css: "waiting"};
  }

  function formTime(iso) {
    var when = new Date(iso), lang = document.documentElement.lang || undefined;
    if (isNaN(when.getTime())) return "";
    var options = {hour: "2-digit", minute: "2-digit"};
    if (when.toDateString() !== new Date().toDateString()) { options.day = "numeric"; options.month = "short"; }
    return when.toLocaleString(lang, options);
  }

  function render() {
    var items = load();
    var model = JSON.stringify([items.map(function (i) { return [i.id, situation(i).text]; }), sentHere, keptAt]);
    if (model === shown) return; // a live region: said again only when it changes
    shown = model;
    box.textContent = "";
    if (keptAt !== null) box.appendChild(element("p", {"class": "blocked"}, words.offlineCopy.replace("{time}", formTime(keptAt))));
    items.forEach(function (item) {
      var said = situation(item), line = element("p", {"class": said.css});
      line.appendChild(element("strong", {}, item.label));
      line.appendChild(document.createTextNode(" — " + said.text + " "));
      var mine = !owner || item.owner === owner;
      if (mine && item.status === "session") {
        var next = new URL(item.action, location.href).pathname;
        line.appendChild(element("a", {"class": "button", href: words.login + "?next=" + encodeURIComponent(next)}, words.logIn));
      }
      if (mine && item.status === "refused") {
        var show = element("button", {type: "button"}, words.open);
        show.addEventListener("click", function () { open(item); });
        line.appendChild(show);
      } else if (mine && owner) {
        var now = element("button", {type: "button", "class": "secondary small"}, words.sendNow);
        now.addEventListener("click", function () {
          var current = find(item.id);
          if (current && current.status !== "sending") attempt(current, false);
        });
        line.appendChild(now);
      }
      var discard = element("button", {type: "button", "class": "secondary small"}, words.discard);
      discard.addEventListener("click", function () {
        if (window.confirm(words.confirmDiscard)) { drop(item.id); render(); }
      });
      line.appendChild(discard);
      box.appendChild(line);
    });
    sentHere.forEach(function (done) {
      var line = element("p", {"class": "sent"});
      line.appendChild(element("strong", {}, done.label));
      line.appendChild(document.createTextNode(" — " + words.sent + " "));
      line.appendChild(element("a", {href: done.url}, words.see));
      box.appendChild(line);
    });
    // next to the save buttons of the result's own form
    document.querySelectorAll("form[data-outbox]").forEach(function (form) {
      var note = form.querySelector("[data-outbox-note]");
      if (!note) return;
      var item = items.filter(function (i) { return i.slug === form.dataset.outbox; })[0];
      var done = sentHere.filter(function (s) { return s.slug === form.dataset.outbox; }).pop();
      note.hidden = !item && !done;
      note.className = "outbox-note" + (item ? "" : " sent");
      note.textContent = item ? situation(item).text : done ? words.sent : "";
    });
  }

  // --- on each entry page ------------------------------------------------------------------------
  // A form of a result still waiting shows that result (its typed places, its version and id).
  document.querySelectorAll("form[data-outbox][data-draft]").forEach(function (form) {
    var item = load().filter(function (i) { return i.slug === form.dataset.outbox && i.owner === owner; })[0];
    if (!item || document.querySelector("[data-error-summary]")) {
      if (keptAt !== null) newSubmission(form); // a copy shown again: never the id of its first showing
      return;
    }
    form.querySelectorAll("input[type=radio], input[type=checkbox]").forEach(function (input) {
      input.checked = item.fields.some(function (p) { return p[0] === input.name && p[1] === input.value; });
    });
    ["version", "submission_id"].forEach(function (name) {
      var input = form.querySelector("input[name=" + name + "]");
      if (input) input.value = valueOf(item.fields, name);
    });
    var token = form.querySelector("input[name=csrf_token]");
    if (token && keptAt === null) { // a page from the server: its token is the freshest
      item.fields = withValue(item.fields, "csrf_token", token.value);
      put(item);
    }
    form.dataset.outboxRestored = "1";
  });

  load().forEach(function (item) { // left while sending: the answer never came
    if (waitingTooLong(item)) { item.status = "waiting"; put(item); }
  });
  render();
  flush("all");
  window.addEventListener("online", function () { flush("now"); });
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "visible") flush("now"); });
  window.addEventListener("pageshow", function (event) { if (event.persisted) flush("now"); });
  window.addEventListener("storage", function (event) { if (event.key === KEY) { render(); schedule(); } });

  // Logging out: the entry pages kept on this phone go (results not sent yet stay, for their account).
  document.querySelectorAll("form.logout").forEach(function (form) {
    form.addEventListener("submit", function () {
      if (!window.caches) return;
      caches.keys().then(function (names) {
        names.filter(function (name) { return name.indexOf("cartel-pages-") === 0; })
          .forEach(function (name) { caches.delete(name); });
      });
    });
  });

  window.cartelOutbox = {
    takes: function (form) { return form.hasAttribute("data-outbox"); },
    submit: submit
  };

  function registerWorker() {
    if (!("serviceWorker" in navigator) || !words.worker) return;
    navigator.serviceWorker.register(words.worker, {scope: words.scope}).then(function () {
      if (navigator.serviceWorker.controller) return;
      // this page came before the worker: keep it too
      navigator.serviceWorker.ready.then(function (registration) {
        if (registration.active && keptAt === null) registration.active.postMessage({keep: location.href});
      });
    }).catch(function () {});
  }
})();
