/* Service worker for the offline certificate check.
 *
 * verify-offline.js registers it as  <sw>?page=<offline page>&keys=<key set>&asset=<js>
 * Serve this file from the site's base path (e.g. /hoc/verify-sw.js) so its scope covers
 * /hoc/V/..., or send "Service-Worker-Allowed: /hoc/" with it.
 *
 * Online nothing changes: every request goes to the network (so /V/<token> shows the
 * server's page, with revocation status) and the kept copies are refreshed. Offline, the
 * page, script and keys come from the cache, and a navigation to .../V/<token> gets the
 * offline page, which reads the token from the address and checks the signature.
 */
"use strict";
var params = new URL(self.location.href).searchParams;
var CACHE = "lms-verify-offline-v1";
var PAGE = new URL(params.get("page") || "./verify/offline", self.location.href).href;
var KEPT = [PAGE].concat(params.getAll("keys"), params.getAll("asset")).map(function (u) {
  return new URL(u, self.location.href).href;
});

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(KEPT); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

function kind(req) {
  var url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin) return null;
  var href = url.origin + url.pathname + url.search;
  var verifyNav = req.mode === "navigate" && /\/v\/[0-9A-Za-z]+\/?$/i.test(url.pathname);
  return KEPT.indexOf(href) >= 0 || verifyNav ? { href: href, kept: KEPT.indexOf(href) >= 0, nav: verifyNav } : null;
}
// the learner's sw.js imports this file and leaves these requests to it
self.lmsVerifyWants = function (req) { return kind(req) !== null; };

self.addEventListener("fetch", function (event) {
  var req = event.request, k = kind(req);
  if (!k) return;
  var href = k.href, kept = k.kept, verifyNav = k.nav;
  event.respondWith(fetch(req).then(function (resp) {
    if (kept && resp.ok) {
      var copy = resp.clone();
      caches.open(CACHE).then(function (cache) { cache.put(href, copy); });
    }
    return resp;
  }).catch(function () {
    return caches.match(verifyNav ? PAGE : href).then(function (hit) {
      return hit || Response.error();
    });
  }));
});
