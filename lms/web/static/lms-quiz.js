// Quiz page enhancement: save each answer the moment it is given, keep unsent answers in
// localStorage while the connection is down, and show the server's countdown. Without this
// script the per-question form still saves everything.
(function () {
  "use strict";
  var form = document.getElementById("answer-form");
  var state = document.getElementById("save-state");
  var csrf = document.querySelector("input[name=csrf_token]");
  var QUEUE = "lms-unsent-answers";

  function queue() { try { return JSON.parse(localStorage.getItem(QUEUE) || "{}"); } catch (e) { return {}; } }
  function store(q) { try { localStorage.setItem(QUEUE, JSON.stringify(q)); } catch (e) { /* private mode */ } }
  function say(text) {
    if (!state) { return; }
    state.textContent = text;
    // offline, the message stays in sight just above the buttons (it used to sit below the fold)
    var off = text === state.dataset.offline;
    state.classList.toggle("offline", off);
    if (off && state.scrollIntoView) { state.scrollIntoView({ block: "nearest" }); }
  }

  function send(url, response) {
    return fetch(url, {
      method: "PUT", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf ? csrf.value : "" },
      body: JSON.stringify({ response: response })
    }).then(function (r) { return r.json().then(function (body) { return { ok: r.ok, status: r.status, body: body }; }); });
  }

  function flush() {
    var q = queue();
    Object.keys(q).forEach(function (url) {
      send(url, q[url]).then(function (res) {
        var left = queue();
        delete left[url];
        store(left);
        if (form && url === form.dataset.autosave) { say(res.ok ? form.dataset.savedText : res.body.error.message); }
      }).catch(function () {
        // still offline: keep it and say so
        if (form && url === form.dataset.autosave && state && state.dataset.offline) { say(state.dataset.offline); }
      });
    });
  }

  function current() {
    var widget = form.dataset.widget;
    var data = new FormData(form);
    if (widget === "checkbox") { return data.getAll("response"); }
    if (widget === "matching") {
      var pairs = {};
      form.querySelectorAll("select[name^=match-]").forEach(function (s) { if (s.value) { pairs[s.name.slice(6)] = s.value; } });
      return pairs;
    }
    var value = data.get("response");
    if (value === null || value === "") { return null; }
    if (widget === "truefalse") { return value === "true"; }
    return value;
  }

  if (form && form.dataset.autosave && window.fetch) {
    form.dataset.savedText = state && state.dataset.saved ? state.dataset.saved : "✓";
    form.querySelectorAll("button[name=go]").forEach(function (b) {
      b.addEventListener("click", function (ev) {
        // no signal: keep the learner on this question (the answer is kept) instead of an error page
        if (navigator.onLine === false) { ev.preventDefault(); save(); say(state.dataset.offline); return; }
        flush();
      });
    });
    var timer = null;
    var save = function () {
      var response = current();
      if (response === null) { return; }
      var q = queue();
      q[form.dataset.autosave] = response;
      store(q);
      say("…");
      flush();
    };
    form.addEventListener("change", save);
    form.addEventListener("input", function (e) {
      if (e.target.tagName === "TEXTAREA" || e.target.type === "text" || e.target.name === "response") {
        clearTimeout(timer);
        timer = setTimeout(save, 800);
      }
    });
  }
  window.addEventListener("online", flush);
  flush();

  var clock = document.getElementById("timer");
  if (clock) {
    var end = Date.now() + parseInt(clock.dataset.remaining, 10) * 1000;
    var span = clock.querySelector("span");
    var tick = function () {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      span.textContent = Math.floor(left / 60) + ":" + ("0" + (left % 60)).slice(-2);
      if (left === 0) { window.location.reload(); return; }
      setTimeout(tick, 1000);
    };
    tick();
  }
})();
