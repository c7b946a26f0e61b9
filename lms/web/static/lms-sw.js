/* The learner's service worker, served as <prefix>/sw.js with `var LMS = {...}` prepended
 * (offline page, static files, prefix, sign-in/out URLs).
 *
 * - Pages: network first; a copy is kept only when the server marks the page
 *   "X-LMS-Offline: keep" (home path, catalogue, course, lesson). Offline, the kept copy is
 *   shown, or else the Vietnamese offline page. Quiz attempts, results, reviews, staff pages
 *   and /api/ are never marked, so never kept; POST is never touched.
 * - Versioned static files (?v=hash): cache first.
 * - Signing in or out empties the page cache (someone else may use the phone next).
 * - Registered by the offline certificate check with ?page=&keys=&asset=, it also does what
 *   verify-sw.js does (imported, same cache), so the two never fight over the one scope.
 * Later: downloaded courses and queued quiz answers get their own caches/IndexedDB here.
 */
"use strict";
var PAGES = "lms-pages-v1", STATIC = "lms-static-v1";
var API = LMS.prefix + "/api/";
if (self.location.search.indexOf("page=") >= 0) importScripts("verify-sw.js" + self.location.search);

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(STATIC).then(function (c) { return c.addAll([LMS.offline].concat(LMS.static)); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  var keep = [PAGES, STATIC, "lms-verify-offline-v1"];
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return keep.indexOf(n) < 0; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function forget() { return caches.delete(PAGES); }

self.addEventListener("message", function (event) {
  if (event.data === "forget") event.waitUntil(forget());
});

function page(event, req) {
  return fetch(req).then(function (resp) {
    if (resp.ok && resp.headers.get("X-LMS-Offline") === "keep" && !resp.redirected) {
      var copy = resp.clone();
      event.waitUntil(caches.open(PAGES).then(function (c) { return c.put(req.url, copy); }));
    }
    return resp;
  }).catch(function () {
    return caches.open(PAGES).then(function (c) { return c.match(req.url); }).then(function (hit) {
      return hit || caches.match(LMS.offline);
    });
  });
}

self.addEventListener("fetch", function (event) {
  var req = event.request, url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.method !== "GET") {
    if (LMS.forget.indexOf(url.pathname) >= 0) event.waitUntil(forget());
    return;
  }
  if (url.pathname.indexOf(API) === 0) return;
  if (self.lmsVerifyWants && self.lmsVerifyWants(req)) return;  // verify-sw.js answers it
  if (req.mode === "navigate") {
    event.respondWith(page(event, req));
  } else if (url.searchParams.has("v") && /\/static\//.test(url.pathname)) {
    event.respondWith(caches.match(req).then(function (hit) {
      return hit || fetch(req).then(function (resp) {
        var copy = resp.clone();
        if (resp.ok) event.waitUntil(caches.open(STATIC).then(function (c) { return c.put(req, copy); }));
        return resp;
      });
    }));
  }
});
