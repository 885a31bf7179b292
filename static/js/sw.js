// The service worker of the entry pages (served from /saisie/sw.js by cartel/web/entry/offline.py, which
// fills in its settings): courtside entry never lands on the browser's own "no connection" page.
// - entry pages (/saisie/...): from the network first, and a copy of each page kept on the phone; when
//   the network fails (or keeps the page waiting 8 s), that copy, marked as one (<html data-offline-copy>,
//   which outbox.js reads to say so and to give the form a new submission id); a page never opened
//   here: the "no connection" page kept at install;
// - styles and scripts: kept at install, from the phone first (the worker is named after the build: a
//   new release installs a new worker, which keeps the new ones and drops the old ones);
// - posts (saving a result) are never touched: the page sends them, and outbox.js keeps what was not
//   answered. No Background Sync (iPhones have none): outbox.js sends when the page is open.
"use strict";

var SETTINGS = /* settings */ {};
var STATIC = "cartel-static-" + SETTINGS.version;
var PAGES = "cartel-pages-" + SETTINGS.version;
var SCOPE = new URL(self.registration.scope).pathname;
var KEPT_PAGES = 40;
var PATIENCE = 8000; // ms to wait for the network before showing the copy kept on the phone

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(STATIC)
      .then(function (cache) { return cache.addAll(SETTINGS.assets); })
      .then(function () { return keep(SETTINGS.offline); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (names) {
        return Promise.all(names.filter(function (name) {
          return name.indexOf("cartel-") === 0 && name !== STATIC && name !== PAGES;
        }).map(function (name) { return caches.delete(name); }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

// A page that came from the network before this worker controlled it asks to be kept too.
self.addEventListener("message", function (event) {
  var url = event.data && event.data.keep;
  if (typeof url === "string" && new URL(url, self.location.href).pathname.indexOf(SCOPE) === 0) {
    event.waitUntil(keep(url).catch(function () {}));
  }
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname.indexOf(SCOPE) === 0) {
    event.respondWith(page(event));
  } else if (SETTINGS.assets.indexOf(url.pathname + url.search) !== -1) {
    event.respondWith(asset(request));
  }
});

function asset(request) {
  return caches.open(STATIC).then(function (cache) {
    return cache.match(request).then(function (kept) {
      return kept || fetch(request).then(function (response) {
        if (response.ok) cache.put(request, response.clone());
        return response;
      });
    });
  });
}

function keepable(response) {
  var type = response.headers.get("Content-Type") || "";
  return response.status === 200 && response.type === "basic" && !response.redirected && type.indexOf("text/html") === 0;
}

// Keeps a copy of a page (with when it was kept), the latest KEPT_PAGES pages only.
function store(url, response) {
  return response.blob().then(function (body) {
    var headers = new Headers(response.headers);
    headers.set("X-Cartel-Kept", new Date().toISOString());
    return caches.open(PAGES).then(function (cache) {
      return cache.delete(url)
        .then(function () { return cache.put(url, new Response(body, {status: 200, headers: headers})); })
        .then(function () { return cache.keys(); })
        .then(function (keys) {
          var old = keys.filter(function (key) { return new URL(key.url).pathname !== SETTINGS.offline; });
          return Promise.all(old.slice(0, Math.max(0, old.length - KEPT_PAGES)).map(function (key) { return cache.delete(key); }));
        });
    });
  });
}

function keep(url) {
  return fetch(url, {credentials: "same-origin", cache: "no-store"}).then(function (response) {
    if (keepable(response)) return store(url, response);
  });
}

// The copy kept on the phone, marked as one for the page's scripts.
function copy(kept) {
  return kept.text().then(function (html) {
    var when = kept.headers.get("X-Cartel-Kept") || "";
    html = html.replace(/<html\b/i, '<html data-offline-copy="' + when.replace(/[^0-9TZ:.\-]/g, "") + '"');
    var headers = new Headers(kept.headers);
    headers.delete("Content-Length");
    return new Response(html, {status: 200, headers: headers});
  });
}

function offlinePage() {
  return caches.open(PAGES)
    .then(function (cache) { return cache.match(SETTINGS.offline, {ignoreVary: true}); })
    .then(function (kept) {
      return kept || new Response(
        '<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width">' +
        "<title>Cartel</title><h1>Pas de connexion · No connection</h1>",
        {status: 503, headers: {"Content-Type": "text/html; charset=utf-8"}}
      );
    });
}

function page(event) {
  var request = event.request;
  var network = fetch(request).then(function (response) {
    if (keepable(response)) {
      var stored = store(request.url, response.clone()).catch(function () {});
      event.waitUntil(stored);
    }
    return response;
  });
  event.waitUntil(network.catch(function () {}));
  return caches.open(PAGES)
    .then(function (cache) { return cache.match(request.url, {ignoreVary: true}); })
    .then(function (kept) {
      if (!kept) return network.catch(offlinePage);
      return new Promise(function (resolve) {
        var timer = setTimeout(function () { resolve(copy(kept.clone())); }, PATIENCE);
        network.then(
          function (response) { clearTimeout(timer); resolve(response); },
          function () { clearTimeout(timer); resolve(copy(kept.clone())); }
        );
      });
    });
}
