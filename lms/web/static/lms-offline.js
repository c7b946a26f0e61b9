// Learning without a signal (progressive enhancement; the pages work without it):
// - "Download": a course's pages, images and quiz page go into the cache "lms-course-<slug>";
//   its size is shown before, the progress during; a newer version replaces it when online.
// - Offline quiz page: one question at a time; each answer, and the submit, is queued.
// - Lesson "done" without a signal: queued instead of the browser's error page.
// Queued actions go to the service worker (IndexedDB, sent in order, see lms-sw.js).
(function () {
  "use strict";
  var doc = document, sw = navigator.serviceWorker, user = +doc.documentElement.dataset.user;
  var csrf = doc.querySelector("input[name=csrf_token]");
  if (!sw || !window.caches || !user) return;
  function id() { return crypto.randomUUID ? crypto.randomUUID() : Date.now() + "-" + Math.random(); }
  function queue(op) {
    op.id = id();
    op.user = user;
    return sw.ready.then(function (reg) {
      reg.active.postMessage({ t: "queue", op: op });
      if (reg.sync) reg.sync.register("lms-flush").catch(function () { /* the next page load sends it */ });
    });
  }
  function kb(bytes) { return Math.max(1, Math.round(bytes / 1024)) + " KB"; }
  var META = location.origin + "/lms-offline-meta/";

  // Download box (course page, learner's path)
  var box = doc.getElementById("offline-box");
  function url(kind, slug) { return box.dataset[kind].replace("SLUG", encodeURIComponent(slug)); }
  function json(r) { if (!r.ok || r.redirected) throw new Error(r.status); return r.json(); }
  function kept() {
    return caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return n.indexOf("lms-course-") === 0; }).map(function (n) {
        return caches.open(n).then(function (c) { return c.match(META + n.slice(11)); })
          .then(function (r) { return r ? r.json() : null; });
      }));
    }).then(function (list) { return list.filter(Boolean); });
  }
  function fetchAll(pack, progress) {
    // everything first, then swap: the phone never holds half of a course
    var got = [], done = 0, size = 0;
    return pack.files.reduce(function (p, f) {
      return p.then(function () {
        return fetch(f.url, { credentials: "same-origin", cache: "no-store" }).then(function (r) {
          if (!r.ok || r.redirected) throw new Error(r.status);
          return r.blob().then(function (b) {
            size += b.size;
            var h = { "Content-Type": r.headers.get("Content-Type") }, csp = r.headers.get("Content-Security-Policy");
            if (csp) h["Content-Security-Policy"] = csp;  // an image keeps its sandbox
            got.push([f.url, new Response(b, { headers: h })]);
            if (progress) progress(++done, pack.files.length);
          });
        });
      });
    }, Promise.resolve()).then(function () {
      var name = "lms-course-" + pack.course;
      return caches.delete(name).then(function () { return caches.open(name); }).then(function (c) {
        var info = { slug: pack.course, title: pack.title, version: pack.version, size: size, quiz: pack.quiz,
          url: pack.files[0].url };
        got.push([META + pack.course, new Response(JSON.stringify(info))]);
        return Promise.all(got.map(function (g) { return c.put(g[0], g[1]); }));
      });
    });
  }
  function say(el, text) { el.textContent = text; }
  if (box) {
    var d = box.dataset, slugs = d.slugs.split(" "), list = doc.getElementById("offline-list");
    var status = doc.getElementById("offline-status"), bar = doc.getElementById("offline-progress");
    var show = function () {
      return kept().then(function (packs) {
        list.textContent = "";
        packs.forEach(function (p) {
          var li = doc.createElement("li"), a = doc.createElement("a"), rm = doc.createElement("button");
          a.href = p.url;
          a.textContent = p.title + " (" + kb(p.size) + ")";
          rm.type = "button";
          rm.className = "link";
          rm.textContent = d.remove;
          rm.addEventListener("click", function () { caches.delete("lms-course-" + p.slug).then(show); });
          li.append(a, " · ", rm);
          if (p.quiz) {
            var q = doc.createElement("a");
            q.href = p.quiz;
            q.textContent = d.quiz;
            li.append(" · ", q);
          }
          list.appendChild(li);
        });
        doc.getElementById("offline-kept").hidden = !packs.length;
      });
    };
    box.hidden = false;
    show();
    Promise.all(slugs.map(function (s) { return fetch(url("package", s), { credentials: "same-origin" }).then(json); }))
      .then(function (packs) {
        say(doc.getElementById("offline-size"), d.size.replace("{size}", kb(packs.reduce(function (t, p) { return t + p.size; }, 0))));
      }).catch(function () { /* offline: the list above is what there is */ });
    doc.getElementById("offline-get").addEventListener("click", function () {
      var timed = false, done = 0, total = 0;
      bar.hidden = false;
      slugs.reduce(function (p, s) {
        return p.then(function () {
          return fetch(url("prepare", s), { method: "POST", credentials: "same-origin",
            headers: { "X-CSRFToken": csrf ? csrf.value : "" } }).then(json).then(function (pack) {
            timed = timed || (pack.timed && !pack.quiz);
            total += pack.files.length;
            return fetchAll(pack, function () {
              bar.max = total;
              bar.value = ++done;
              say(status, d.progress.replace("{done}", done).replace("{total}", total));
            });
          });
        });
      }, Promise.resolve()).then(function () {
        say(status, timed ? d.timed : "");
      }, function () { say(status, d.failed); }).then(function () { bar.hidden = true; return show(); });
    });
  }
  // Online again: a course whose content (or attempt) changed is downloaded afresh.
  if (navigator.onLine) {
    kept().then(function (packs) {
      packs.forEach(function (old) {
        fetch(box ? url("package", old.slug) : old.url.replace(/\/$/, "") + "/offline.json", { credentials: "same-origin" })
          .then(json).then(function (pack) { if (pack.version !== old.version) return fetchAll(pack); })
          .catch(function () { /* signed out or no signal: keep the copy */ });
      });
    });
  }

  // Lesson "done" without a signal
  doc.querySelectorAll("form[data-offline-done]").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      var m = form.getAttribute("action").match(/\/courses\/([^/]+)\/lessons\/([^/]+)\/done$/);
      if (navigator.onLine !== false || !m || !sw.controller) return;
      ev.preventDefault();
      queue({ kind: "done", course: decodeURIComponent(m[1]), lesson: decodeURIComponent(m[2]) });
      var p = doc.createElement("p");
      p.className = "badge ok";
      p.textContent = form.dataset.offlineDone;
      form.replaceWith(p);
    });
  });

  // Offline quiz: one question at a time; every answer and the submit are queued
  var quiz = doc.getElementById("offline-quiz");
  if (!quiz) return;
  var qd = quiz.dataset, attempt = +qd.attempt, sets = quiz.querySelectorAll("fieldset[data-position]");
  var at = 0, state = doc.getElementById("oq-state"), begin = doc.getElementById("oq-begin");
  var go = quiz.querySelectorAll("[data-go]");
  function turn(i) {
    at = Math.max(0, Math.min(sets.length - 1, i));
    sets.forEach(function (f, n) {
      f.hidden = n !== at;
      // lms.js put a "Nghe" button and its note before each question: they follow it
      for (var e = f.previousElementSibling, k = 0; e && k < 2 && /listen/.test(e.className); e = e.previousElementSibling, k++) e.hidden = f.hidden;
    });
    go[0].hidden = at === 0;
    go[1].hidden = at === sets.length - 1;
  }
  function value(f) {
    var w = f.dataset.widget, inputs = f.querySelectorAll("input,select,textarea");
    if (w === "checkbox") return [].filter.call(inputs, function (i) { return i.checked; }).map(function (i) { return i.value; });
    if (w === "matching") {
      var pairs = {};
      inputs.forEach(function (s) { if (s.value) pairs[s.name.slice(2)] = s.value; });
      return pairs;
    }
    var v = [].filter.call(inputs, function (i) { return (i.type !== "radio" || i.checked) && i.value; })[0];
    if (!v) return null;
    return w === "truefalse" ? v.value === "true" : v.value;
  }
  function put(f, r) {
    f.querySelectorAll("input,select,textarea").forEach(function (i) {
      if (i.type === "radio" || i.type === "checkbox") i.checked = Array.isArray(r) ? r.indexOf(i.value) >= 0 : String(r) === i.value;
      else if (i.name.indexOf("m-") === 0) i.value = (r && r[i.name.slice(2)]) || "";
      else i.value = r;
    });
  }
  var timer = null;
  sets.forEach(function (f) {
    var save = function () {
      var r = value(f);
      if (r === null) return;
      queue({ kind: "answer", attempt: attempt, position: +f.dataset.position, response: r });
      say(state, qd.kept);
    };
    f.addEventListener("change", save);
    f.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(save, 800); });
  });
  go.forEach(function (b) { b.addEventListener("click", function () { turn(at + +b.dataset.go); }); });
  doc.getElementById("oq-submit").addEventListener("click", function () {
    queue({ kind: "submit", attempt: attempt });
    quiz.querySelectorAll("input,select,textarea,button").forEach(function (i) { i.disabled = true; });
    say(state, qd.waiting);
  });
  // answers given earlier on this phone and not sent yet
  doc.addEventListener("lms-state", function (ev) {
    (ev.detail.ops || []).forEach(function (op) {
      var f = quiz.querySelector("fieldset[data-position='" + op.position + "']");
      if (op.kind === "answer" && op.attempt === attempt && f && !f.dataset.restored) { put(f, op.response); f.dataset.restored = 1; }
    });
    if (ev.detail.result && ev.detail.result === qd.result) location.href = qd.result;
  });
  turn(0);
  if (begin) {
    begin.hidden = false;
    begin.addEventListener("click", function () { quiz.hidden = false; begin.hidden = true; });
  }
})();
