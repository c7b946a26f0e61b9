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
 * - A course downloaded for learning without a signal (the page's script fills the cache
 *   "lms-course-<slug>"): its pages and images are shown from there when there is no signal.
 * - Actions taken offline (answers, lessons done, a submit) are queued in IndexedDB by the
 *   page ("queue" message) and sent in order to LMS.sync, each with its own id (the server
 *   applies an id once): at once, on a "flush" message (each page load) and on Background Sync.
 *   Each action carries its learner's id: only that learner's page sends it.
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
    return Promise.all(names.filter(function (n) { return keep.indexOf(n) < 0 && !course(n); })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function course(name) { return name.indexOf("lms-course-") === 0; }
// someone else may use the phone next: their pages and downloaded courses go (queued actions
// stay, marked with their learner, until that learner's page sends them)
function forget() {
  return caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n === PAGES || course(n); })
      .map(function (n) { return caches.delete(n); }));
  });
}

var DB = null;
function store(mode, fn) {
  DB = DB || new Promise(function (ok, ko) {
    var r = indexedDB.open("lms-offline", 1);
    r.onupgradeneeded = function () {
      r.result.createObjectStore("ops", { keyPath: "n", autoIncrement: true });
      r.result.createObjectStore("meta");
    };
    r.onsuccess = function () { ok(r.result); };
    r.onerror = function () { DB = null; ko(r.error); };
  });
  return DB.then(function (db) {
    return new Promise(function (ok, ko) {
      var t = db.transaction(["ops", "meta"], mode), got = fn(t.objectStore("ops"), t.objectStore("meta"));
      t.oncomplete = function () { ok(got && got.result); };
      t.onerror = function () { ko(t.error); };
    });
  });
}
function meta() { return store("readonly", function (o, m) { return m.get("me"); }); }
function mine(user) {
  return store("readonly", function (o) { return o.getAll(); }).then(function (all) {
    return all.filter(function (op) { return op.user === user; });
  });
}
// what the server answered (answers that came too late, a graded submit) is kept until a page shows it:
// Background Sync may send the queue while no page is open
function state(extra) {
  var note;
  return store("readwrite", function (o, m) {
    var got = m.get("note");
    got.onsuccess = function () {
      note = got.result || { late: [] };
      if (extra) { note.late = note.late.concat(extra.late || []); note.result = extra.result || note.result; }
      m.put(note, "note");
    };
  }).then(meta).then(function (me) { return mine(me && me.user); }).then(function (ops) {
    return self.clients.matchAll().then(function (list) {
      var msg = { t: "state", count: ops.length, ops: ops, late: note.late, result: note.result };
      list.forEach(function (c) { c.postMessage(msg); });
      if (list.length) return store("readwrite", function (o, m) { m.delete("note"); });
    });
  });
}
function queue(op) {
  // a newer answer to the same question replaces the one not sent yet (order is kept by "n")
  return store("readwrite", function (o) {
    var all = o.getAll();
    all.onsuccess = function () {
      all.result.forEach(function (x) {
        if (op.kind === "answer" && x.kind === "answer" && x.user === op.user && x.attempt === op.attempt &&
            x.position === op.position) o.delete(x.n);
      });
      o.add(op);
    };
  });
}
var busy = null;
function flush() {
  if (busy) return busy.then(flush);
  var me, late = [], result = null, more = false;
  busy = meta().then(function (m) { me = m || {}; return mine(me.user); }).then(function (ops) {
    if (!ops.length) return;
    var sent = ops.slice(0, 100);
    return fetch(LMS.sync, {
      method: "POST", credentials: "same-origin", redirect: "manual",
      headers: { "Content-Type": "application/json", "X-CSRFToken": me.token || "" },
      body: JSON.stringify({ ops: sent.map(function (op) {
        var out = Object.assign({}, op); delete out.n; delete out.user; return out;
      }) })
    }).then(function (resp) {
      // signed out, token expired...: keep everything for the next page, which has a fresh token
      if (!resp.ok) return;
      return resp.json().then(function (body) {
        var done = {};
        body.results.forEach(function (r) {
          done[r.id] = 1;
          if (r.status === "time_up" || r.status === "attempt_closed") late.push(r.id);
          if (r.result) result = r.result;
        });
        late = sent.filter(function (op) { return late.indexOf(op.id) >= 0 && op.kind === "answer"; })
          .map(function (op) { return op.position; });
        more = sent.length < ops.length && Object.keys(done).length > 0;
        return store("readwrite", function (o) {
          sent.forEach(function (op) { if (done[op.id]) o.delete(op.n); });
        });
      });
    });
  }).then(function () {
    busy = null;
    if (result) {  // a submitted attempt: its offline quiz page goes (the next download brings a new one)
      caches.keys().then(function (names) {
        names.filter(course).forEach(function (n) {
          caches.open(n).then(function (c) { c.delete(LMS.prefix + "/courses/" + n.slice(11) + "/offline/quiz"); });
        });
      });
    }
    if (more) return flush();
    return state({ late: late, result: result });
  }, function (err) { busy = null; return state().then(function () { throw err; }); });
  return busy;
}

self.addEventListener("message", function (event) {
  var d = event.data;
  if (d === "forget") event.waitUntil(forget());
  else if (d && d.t === "queue") event.waitUntil(queue(d.op).then(flush).catch(state));
  else if (d && d.t === "flush") {
    event.waitUntil(store("readwrite", function (o, m) { if (d.user) m.put({ user: d.user, token: d.token }, "me"); })
      .then(flush).catch(function () { return state(); }));
  }
});
self.addEventListener("sync", function (event) {
  if (event.tag === "lms-flush") event.waitUntil(flush());
});

function page(event, req) {
  return fetch(req).then(function (resp) {
    if (resp.ok && resp.headers.get("X-LMS-Offline") === "keep" && !resp.redirected) {
      var copy = resp.clone();
      event.waitUntil(caches.open(PAGES).then(function (c) { return c.put(req.url, copy); }));
    }
    return resp;
  }).catch(function () {
    // the page kept when last opened, or the downloaded course's copy
    return caches.match(req.url).then(function (hit) { return hit || caches.match(LMS.offline); });
  });
}

self.addEventListener("fetch", function (event) {
  var req = event.request, url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.method !== "GET") {
    if (LMS.forget.indexOf(url.pathname) >= 0) event.waitUntil(forget());
    // a form sent without a signal: the Vietnamese offline page, not the browser's error
    if (req.mode === "navigate") event.respondWith(fetch(req).catch(function () { return caches.match(LMS.offline); }));
    return;
  }
  if (url.pathname.indexOf(API) === 0) return;
  if (self.lmsVerifyWants && self.lmsVerifyWants(req)) return;  // verify-sw.js answers it
  if (req.mode === "navigate") {
    event.respondWith(page(event, req));
  } else if (/\/images\/[^/]+$/.test(url.pathname)) {
    event.respondWith(fetch(req).catch(function () {
      return caches.match(req.url).then(function (hit) { return hit || Response.error(); });
    }));
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
