{% autoescape off %}// The check-in desk's service worker (vaccination/views_offline.py serves
// it from the desk's own folder, so its scope is the desk). It keeps a copy
// of the desk page and of the files it loads, and answers from that copy
// when the network is gone. It never touches the API: the roster and the
// queue of scans live in IndexedDB, handled by static/js/desk-offline.js.
"use strict";

const PREFIX = "vaxfleet-desk-";
const CACHE = {{ cache }};
const DESK = {{ desk_url }};
const ASSETS = {{ assets }};

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE)
      .then(function (cache) { return cache.addAll(ASSETS.concat([DESK])); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (keys) {
        return Promise.all(keys.filter(function (key) {
          return key.startsWith(PREFIX) && key !== CACHE;
        }).map(function (key) { return caches.delete(key); }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate" && url.pathname === DESK) {
    // The network first, so the desk is always today's when it can be;
    // the copy only when the network fails. A redirect (to sign in) is
    // never kept: the copy is the signed-in desk.
    event.respondWith(
      fetch(request)
        .then(function (response) {
          if (response.ok && !response.redirected) {
            const copy = response.clone();
            caches.open(CACHE).then(function (cache) { return cache.put(DESK, copy); });
          }
          return response;
        })
        .catch(function () {
          return caches.open(CACHE)
            .then(function (cache) { return cache.match(DESK); })
            .then(function (copy) { return copy || Response.error(); });
        })
    );
    return;
  }
  if (ASSETS.indexOf(url.pathname) !== -1) {
    // Static files change name when they change: the copy is always right.
    event.respondWith(
      caches.open(CACHE)
        .then(function (cache) { return cache.match(url.pathname); })
        .then(function (copy) { return copy || fetch(request); })
    );
  }
});
{% endautoescape %}
