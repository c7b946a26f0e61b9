// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  var doc = document, root = doc.documentElement;
  // Registration: choosing a province loads its communes in place (a small JSON list, kept a day).
  // Without this script the "Show communes" button reloads the page, back at the commune field.
  var form = document.querySelector("form[data-communes]");
  var province = document.getElementById("province");
  var commune = document.getElementById("commune");
  var pick = document.getElementById("pick_province");
  if (form && province && commune && pick) {
    var row = pick.parentNode;
    row.hidden = true;
    var reload = function () { row.hidden = false; pick.click(); };
    province.addEventListener("change", function () {
      var chosen = province.value;
      commune.length = 1;  // keep "— choose —"
      if (!chosen) return;
      if (!window.fetch) { reload(); return; }
      commune.setAttribute("aria-busy", "true");
      fetch(form.getAttribute("data-communes").replace("PROVINCE", encodeURIComponent(chosen)),
            {credentials: "same-origin", headers: {Accept: "application/json"}})
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (data) {
          if (province.value !== chosen) return;  // another province was chosen meanwhile
          data.communes.forEach(function (c) { commune.add(new Option(c.name, c.code)); });
          commune.removeAttribute("aria-busy");
        })
        .catch(function () { commune.removeAttribute("aria-busy"); reload(); });
    });
  }
  // A certificate's share link: the phone's share sheet where the browser has one; else the link opens.
  var links = document.querySelectorAll("a[data-share]");
  for (var i = 0; i < links.length; i++) {
    links[i].addEventListener("click", function (event) {
      if (!navigator.share) return;
      event.preventDefault();
      navigator.share({title: this.getAttribute("data-share"), url: this.href}).catch(function () {});
    });
  }

  var tools = doc.getElementById("lms-tools");
  var ui = tools ? tools.dataset : {};
  function store(key, value) { try { localStorage.setItem(key, value); } catch (e) { /* private mode */ } }

  // Text size: three steps on the root font size, remembered on this phone.
  function textSize(step) {
    root.classList.remove("ts1", "ts2");
    if (step > 0) root.classList.add("ts" + step);
    if (tools) tools.querySelectorAll("[data-size]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.dataset.size === String(step)));
    });
  }
  var saved = 0;
  try { saved = parseInt(localStorage.getItem("lms-text-size"), 10) || 0; } catch (e) { /* private mode */ }
  textSize(saved);
  if (tools) {
    tools.hidden = false;
    tools.addEventListener("click", function (ev) {
      var b = ev.target.closest("[data-size]");
      if (!b) return;
      textSize(parseInt(b.dataset.size, 10));
      store("lms-text-size", b.dataset.size);
    });
  }

  // Read aloud: a "Nghe" button before each [data-read] block (lesson, quiz question). A
  // recorded lesson (<audio data-lesson-audio>) is played; otherwise the phone's Vietnamese voice
  // reads sentence by sentence, the sentence being read highlighted.
  var speech = window.speechSynthesis;
  function sentences(block) {
    var out = [], re = /[^.!?…]+[.!?…]*["”)]*\s*/g, m, text = block.textContent;
    while ((m = re.exec(text))) if (m[0].trim()) out.push({ block: block, start: m.index, end: m.index + m[0].trimEnd().length, text: m[0].trim() });
    return out;
  }
  function range(s) {
    var walker = doc.createTreeWalker(s.block, NodeFilter.SHOW_TEXT), node, pos = 0, r = doc.createRange();
    var started = false;
    while ((node = walker.nextNode())) {
      var len = node.data.length;
      if (!started && s.start <= pos + len) { r.setStart(node, s.start - pos); started = true; }
      if (started && s.end <= pos + len) { r.setEnd(node, s.end - pos); return r; }
      pos += len;
    }
    return r;
  }
  function mark(s) {
    doc.querySelectorAll(".reading").forEach(function (el) { el.classList.remove("reading"); });
    if (window.CSS && CSS.highlights) CSS.highlights.delete("lms-reading");
    if (!s) return;
    s.block.classList.add("reading");
    if (window.CSS && CSS.highlights && window.Highlight) CSS.highlights.set("lms-reading", new Highlight(range(s)));
  }
  function vietnamese() {
    return speech ? speech.getVoices().filter(function (v) { return /^vi/i.test(v.lang); })[0] : null;
  }
  function reader(target) {
    var button = doc.createElement("button"), note = doc.createElement("p");
    var audio = doc.querySelector("audio[data-lesson-audio]");
    var state = "idle";
    button.type = "button";
    button.className = "secondary listen";
    button.textContent = "🔊 " + ui.listen;
    note.className = "muted listen-note";
    note.setAttribute("role", "status");
    function label(s) { state = s; button.textContent = s === "playing" ? "⏸ " + ui.pause : s === "paused" ? "▶ " + ui.resume : "🔊 " + ui.listen; }
    if (audio) {
      audio.addEventListener("play", function () { label("playing"); });
      audio.addEventListener("pause", function () { label(audio.ended ? "idle" : "paused"); });
    }
    function speak(list, i) {
      if (i >= list.length) { mark(null); label("idle"); return; }
      var u = new SpeechSynthesisUtterance(list[i].text);
      u.lang = "vi-VN";
      u.voice = vietnamese();
      u.onstart = function () { mark(list[i]); };
      u.onend = function () { if (state !== "idle") speak(list, i + 1); };
      speech.speak(u);
    }
    button.addEventListener("click", function () {
      if (audio) { if (audio.paused) audio.play(); else audio.pause(); return; }
      if (state === "playing") { speech.pause(); label("paused"); return; }
      if (state === "paused") { speech.resume(); label("playing"); return; }
      if (!vietnamese()) { note.textContent = ui.novoice; return; }
      note.textContent = "";
      var blocks = Array.prototype.slice.call(target.querySelectorAll("h1,h2,h3,p,li,legend,label,td"));
      blocks = blocks.filter(function (b) { return !blocks.some(function (o) { return o !== b && o.contains(b); }); });
      var list = [];
      blocks.forEach(function (b) { list = list.concat(sentences(b)); });
      speech.cancel();
      label("playing");
      speak(list, 0);
    });
    target.parentNode.insertBefore(button, target);
    target.parentNode.insertBefore(note, target);
  }
  if (ui.listen) {
    if (speech) speech.getVoices();  // some phones load their voices on first ask
    doc.querySelectorAll("[data-read]").forEach(reader);
  }

  // Offline page: list the pages kept on this phone; "Thử lại" reloads.
  var list = doc.getElementById("offline-pages");
  if (list && window.caches) {
    var seen = {};
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return n === "lms-pages-v1" || n.indexOf("lms-course-") === 0; }).map(function (n) {
        return caches.open(n);
      }));
    }).then(function (all) { return Promise.all(all.map(function (c) {
      return c.keys().then(function (keys) {
        return Promise.all(keys.map(function (k) {
          return c.match(k).then(function (r) {
            if (seen[k.url] || !/html/.test(r.headers.get("Content-Type"))) return "";
            seen[k.url] = 1;
            return r.text();
          }).then(function (html) {
            if (!html) return;
            var t = new DOMParser().parseFromString(html, "text/html").title;  // parsing runs nothing
            var a = doc.createElement("a"), li = doc.createElement("li");
            a.href = k.url;
            a.textContent = t ? t.split(" · ")[0] : k.url;
            li.appendChild(a);
            list.appendChild(li);
          });
        }));
      });
    })); }).then(function () { list.parentNode.hidden = !list.children.length; });
  }
  doc.querySelectorAll("[data-reload]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.location.reload(); });
  });

  // The learner's service worker (offline copies of pages opened); keeps the offline
  // certificate check's settings if that page registered it first.
  var sw = root.dataset.sw;
  if (sw && "serviceWorker" in navigator) {
    var scope = root.dataset.swScope, nav = navigator.serviceWorker;
    nav.getRegistration(scope).then(function (reg) {
      var cur = reg && (reg.active || reg.waiting || reg.installing), q = "";
      if (cur && /\/(verify-)?sw\.js$/.test(new URL(cur.scriptURL).pathname)) q = new URL(cur.scriptURL).search;
      return nav.register(sw + q, { scope: scope });
    }).catch(function () { /* the site works without it */ });
  }

  // Actions kept offline (lms-sw.js queues them): on each page the worker is asked to send them
  // with this page's token; the badge says how many still wait, and what the server answered.
  var badge = doc.getElementById("lms-unsent"), user = root.dataset.user;
  if (badge && user && "serviceWorker" in navigator) {
    var bd = badge.dataset, csrf = doc.querySelector("input[name=csrf_token]"), note = "", link = null;
    navigator.serviceWorker.addEventListener("message", function (ev) {
      var m = ev.data;
      if (!m || m.t !== "state") return;
      if (m.late && m.late.length) note = bd.late.replace("{list}", m.late.join(", "));
      if (m.result) { note = (note + " " + bd.result).trim(); link = m.result; }
      badge.textContent = ((m.count ? bd.count.replace("{n}", m.count) + " " : "") + note).trim();
      if (link) {
        var a = doc.createElement("a");
        a.href = link;
        a.textContent = bd.see;
        badge.append(" ", a);
      }
      badge.hidden = !badge.textContent;
      doc.dispatchEvent(new CustomEvent("lms-state", { detail: m }));
    });
    var ask = function () {
      navigator.serviceWorker.ready.then(function (reg) {
        reg.active.postMessage({ t: "flush", user: +user, token: csrf ? csrf.value : "" });
      });
    };
    ask();
    window.addEventListener("online", ask);
  }
})();
