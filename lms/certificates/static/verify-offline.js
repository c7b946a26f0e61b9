/* Offline certificate check: verifies a token's Ed25519 signature in the browser with
 * WebCrypto against the published keys (cached in localStorage), with no server call, and
 * looks the certificate up in the signed revocation list kept from the last online visit
 * (localStorage too): VALID, REVOKED, or "signature valid, status not confirmed" when this
 * device has no list or only an old one; the list's date is shown under every verdict.
 * The list also carries course and commune names, so the verdict reads like the online page.
 * No framework, no dependencies.
 *
 * Page contract (the template provides it):
 *   <div data-lms-verify-offline
 *        data-keys-url="/hoc/.well-known/lms-keys.json"
 *        data-revocations-url="/hoc/verify/offline/revoked.json"   optional signed revocation list
 *        data-max-list-days="7"        optional; an older list does not confirm a status
 *        data-token="..."              optional; else taken from #hash, ?t= or /V/<token>
 *        data-online-base="/hoc"       optional; adds a "check online" link to <base>/V/<token>
 *        data-sw-url="/hoc/verify-sw.js" data-sw-scope="/hoc/"   optional service worker
 *        data-page-url="/hoc/verify/offline"   the page the worker keeps (default: this path)
 *        data-messages='{"valid": "..."}'>   optional translations of MESSAGES below
 *   </div>
 *   <script src=".../verify-offline.js" defer></script>
 *
 * Token format: see lms/certificates/tokens.py (Crockford base32 of payload||signature;
 * signature = Ed25519 over "BDHVS-CERT:" || payload). Revocation list format: see
 * lms/certificates/offlinelist.py ({kid, payload, signature}; signature = Ed25519 over
 * "BDHVS-REVOKED:" || payload; revoked certificates by the first 8 bytes of
 * SHA-256("BDHVS-REVOKED:" || code), hex).
 */
(function () {
  "use strict";

  var B32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  var CONTEXT = "BDHVS-CERT:";
  var AUDIENCES = ["officials", "students", "workers", "citizens"];
  // Same table as tokens.TEXT_ALPHABET: ASCII, Latin-1 and Latin Extended-A Vietnamese
  // letters, then U+1EA0..U+1EF9 (the rest of the precomposed Vietnamese letters).
  var TEXT = " .-'_,/()0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" +
    "ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂăĐđĨĩŨũƠơƯư";
  for (var cp = 0x1ea0; cp <= 0x1ef9; cp++) TEXT += String.fromCharCode(cp);
  var STORE = "lms-cert-keys";
  var LIST_STORE = "lms-cert-revocations";
  var LIST_CONTEXT = "BDHVS-REVOKED:";
  var ZONE = "Asia/Ho_Chi_Minh";
  var SCRIPT_URL = document.currentScript ? document.currentScript.src : "";

  var MESSAGES = {
    status_valid: "VALID", status_revoked: "REVOKED", status_invalid: "NOT VALID",
    status_unconfirmed: "SIGNATURE VALID",
    revoked: "This certificate was withdrawn and is no longer valid.",
    unconfirmed: "Issued by us and not altered, but this device has no recent revocation list: it may have been revoked since. Connect to the internet once to update the list.",
    revoked_on: "Revoked on", issued_by: "Issued by", path_title: "Universal digital skills certificate",
    list_date: "Revocation list of {date}",
    no_list: "No revocation list on this device yet: open this page once while online.",
    list_stale: "This list is more than {days} days old.",
    unknown_name: "(not on this device yet: connect once to update)",
    valid: "Valid signature: this certificate was issued by us and has not been altered.",
    invalid: "Not valid: this certificate was not issued by us, or it has been altered.",
    unknown_key: "Signed with a key this device does not know yet. Connect to the internet once to update the keys, then check again.",
    no_keys: "No keys on this device yet: open this page once while online.",
    unsupported: "This browser cannot check signatures offline. Use the online check.",
    compare_id: "Compare the name with the holder's ID document.",
    name: "Name", course: "Course", path: "Digital skills path", audience: "Audience",
    unit: "Commune or ward", issued: "Issued on", code: "Certificate code",
    check_online: "Check online", input: "Certificate link or token",
    check: "Check",
    officials: "Officials and public employees", students: "Pupils and students",
    workers: "Workers in enterprises and cooperatives", citizens: "Citizens"
  };

  function b32decode(text) {
    var s = text.trim().toUpperCase();
    var n = Math.floor(s.length * 5 / 8);
    if (Math.ceil(n * 8 / 5) !== s.length) throw new Error("format");
    var out = new Uint8Array(n), acc = 0, bits = 0, j = 0;
    for (var i = 0; i < s.length; i++) {
      var v = B32.indexOf(s.charAt(i));
      if (v < 0) throw new Error("format");
      acc = (acc << 5) | v;
      bits += 5;
      if (bits >= 8) { bits -= 8; out[j++] = (acc >> bits) & 255; }
      acc &= (1 << bits) - 1;
    }
    if (acc !== 0) throw new Error("format"); // non-canonical padding bits
    return out;
  }

  function b32encode(bytes) {
    var out = "", acc = 0, bits = 0;
    for (var i = 0; i < bytes.length; i++) {
      acc = (acc << 8) | bytes[i];
      bits += 8;
      while (bits >= 5) { bits -= 5; out += B32.charAt((acc >> bits) & 31); }
      acc &= (1 << bits) - 1;
    }
    if (bits > 0) out += B32.charAt((acc << (5 - bits)) & 31);
    return out;
  }

  function readText(p, pos) {
    var header = p[pos], end = pos + 1 + (header & 127);
    if (header === undefined || end > p.length) throw new Error("format");
    var body = p.subarray(pos + 1, end), value = "";
    if (header & 128) {
      value = new TextDecoder("utf-8", { fatal: true }).decode(body);
    } else {
      for (var i = 0; i < body.length; i++) {
        if (body[i] >= TEXT.length) throw new Error("format");
        value += TEXT.charAt(body[i]);
      }
    }
    return { value: value, next: end };
  }

  /* Split a token into kid, signed bytes and signature; fields parse only after verify. */
  function splitToken(token) {
    var raw = b32decode(token);
    if (raw.length < 22 + 64 || raw[0] !== 1) throw new Error("format");
    return { kid: b32encode(raw.subarray(1, 6)), payload: raw.subarray(0, raw.length - 64),
             signature: raw.subarray(raw.length - 64) };
  }

  function parseClaims(p, kid) {
    var code = b32encode(p.subarray(6, 16)).match(/.{4}/g).join("-");
    var days = (p[16] << 8) | p[17], flags = p[18], aud = flags & 127;
    if (aud > AUDIENCES.length) throw new Error("format");
    var subject = readText(p, 19), unit = readText(p, subject.next), name = readText(p, unit.next);
    if (name.next !== p.length) throw new Error("format");
    return {
      code: code, maskedName: name.value, kind: flags & 128 ? "path" : "course",
      subject: subject.value, audience: aud ? AUDIENCES[aud - 1] : null,
      unitCode: unit.value || null, issuedOn: new Date(days * 86400000).toISOString().slice(0, 10),
      kid: kid
    };
  }

  function concat(a, b) {
    var out = new Uint8Array(a.length + b.length);
    out.set(a, 0); out.set(b, a.length);
    return out;
  }

  function b64urlBytes(s) {
    var bin = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(bin, function (ch) { return ch.charCodeAt(0); });
  }

  /* -> {ok: true, claims} or {ok: false, reason: "format"|"unknown_key"|"signature"|"unsupported"} */
  async function verifyToken(token, jwks) {
    var parts;
    try { parts = splitToken(token); } catch (e) { return { ok: false, reason: "format" }; }
    var jwk = ((jwks && jwks.keys) || []).filter(function (k) {
      return k.kid === parts.kid && k.kty === "OKP" && k.crv === "Ed25519";
    })[0];
    if (!jwk) return { ok: false, reason: "unknown_key", kid: parts.kid };
    if (!(window.crypto && crypto.subtle)) return { ok: false, reason: "unsupported" };
    try {
      var key = await importKey(jwk, parts.kid);
      if (!key) return { ok: false, reason: "unknown_key", kid: parts.kid };
      var message = concat(new TextEncoder().encode(CONTEXT), parts.payload);
      var good = await crypto.subtle.verify({ name: "Ed25519" }, key, parts.signature, message);
      if (!good) return { ok: false, reason: "signature" };
    } catch (e) {
      return { ok: false, reason: "unsupported", error: String(e) };
    }
    try { return { ok: true, claims: parseClaims(parts.payload, parts.kid) }; }
    catch (e) { return { ok: false, reason: "format" }; }
  }

  /* Fresh keys when online (and cache them), else the cached copy; null if neither. */
  async function loadKeys(url) {
    try {
      var resp = await fetch(url, { cache: "no-cache", credentials: "omit" });
      if (resp.ok) {
        var jwks = await resp.json();
        if (jwks && Array.isArray(jwks.keys)) {
          var entry = { url: url, fetchedAt: Date.now(), jwks: jwks };
          try { localStorage.setItem(STORE, JSON.stringify(entry)); } catch (e) { /* private mode */ }
          return { jwks: jwks, fetchedAt: entry.fetchedAt, fresh: true };
        }
      }
    } catch (e) { /* offline: fall back to the cache */ }
    try {
      var cached = JSON.parse(localStorage.getItem(STORE) || "null");
      if (cached && cached.jwks) return { jwks: cached.jwks, fetchedAt: cached.fetchedAt, fresh: false };
    } catch (e) { /* corrupt cache */ }
    return null;
  }

  /* The token in a pasted link (any case of /v/), in #hash, in ?t=, or the text itself. */
  function tokenFrom(text) {
    var t = (text || "").trim(), m = t.match(/\/v\/([0-9A-Za-z]+)/i);
    return m ? m[1] : t.replace(/^#/, "");
  }

  function tokenFromLocation(loc) {
    var q = new URLSearchParams(loc.search).get("t");
    if (q) return tokenFrom(q);
    if (loc.hash.length > 1) return tokenFrom(loc.hash.slice(1));
    var m = loc.pathname.match(/\/v\/([0-9A-Za-z]+)\/?$/i);
    return m ? m[1] : "";
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text; // never innerHTML: token text is untrusted
    return node;
  }

  async function importKey(jwk, kid) {
    // the kid must be derived from the key itself, as the server checks too
    var digest = new Uint8Array(await crypto.subtle.digest("SHA-256", b64urlBytes(jwk.x)));
    if (b32encode(digest.subarray(0, 5)) !== kid) return null;
    return crypto.subtle.importKey("jwk", { kty: "OKP", crv: "Ed25519", x: jwk.x }, { name: "Ed25519" },
                                   false, ["verify"]);
  }

  /* The payload of a signed revocation list if its signature holds under a known key, else null. */
  async function openList(doc, jwks) {
    try {
      if (!doc || typeof doc.payload !== "string" || typeof doc.signature !== "string") return null;
      var jwk = ((jwks && jwks.keys) || []).filter(function (k) {
        return k.kid === doc.kid && k.kty === "OKP" && k.crv === "Ed25519";
      })[0];
      if (!jwk || !(window.crypto && crypto.subtle)) return null;
      var key = await importKey(jwk, doc.kid);
      if (!key) return null;
      var message = new TextEncoder().encode(LIST_CONTEXT + doc.payload);
      if (!await crypto.subtle.verify({ name: "Ed25519" }, key, b64urlBytes(doc.signature), message)) return null;
      var list = JSON.parse(doc.payload);
      return list && list.type === "BdhvsRevocationList" && list.revoked ? list : null;
    } catch (e) {
      return null;
    }
  }

  /* The fresh list when online (kept in localStorage once its signature holds), else the kept one. */
  async function loadRevocations(url, jwks) {
    if (!url) return null;
    try {
      var resp = await fetch(url, { cache: "no-cache", credentials: "omit" });
      if (resp.ok) {
        var doc = await resp.json(), list = await openList(doc, jwks);
        if (list) {
          try { localStorage.setItem(LIST_STORE, JSON.stringify(doc)); } catch (e) { /* private mode */ }
          return list;
        }
      }
    } catch (e) { /* offline: the kept copy */ }
    try { return await openList(JSON.parse(localStorage.getItem(LIST_STORE) || "null"), jwks); }
    catch (e) { return null; }
  }

  async function codeHash(code) {
    var digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(LIST_CONTEXT + code));
    return Array.from(new Uint8Array(digest).subarray(0, 8), function (b) {
      return (b < 16 ? "0" : "") + b.toString(16);
    }).join("");
  }

  function lang() { return document.documentElement.lang || "vi"; }

  /* A calendar date ("2026-03-05") as the online page writes it ("5 thg 3, 2026"). */
  function day(iso) {
    try {
      return new Intl.DateTimeFormat(lang(), { dateStyle: "medium", timeZone: "UTC" })
        .format(new Date(iso + "T00:00:00Z"));
    } catch (e) { return iso; }
  }

  /* A moment as "3 thg 12, 2026 (21:14)", in Vietnam's time: the date first, as in the sentence. */
  function moment(iso) {
    try {
      var when = new Date(iso);
      var date = new Intl.DateTimeFormat(lang(), { dateStyle: "medium", timeZone: ZONE }).format(when);
      var time = new Intl.DateTimeFormat(lang(), { timeStyle: "short", timeZone: ZONE }).format(when);
      return date + " (" + time + ")";
    } catch (e) { return iso; }
  }

  function courseTitle(list, slug, msg) {
    var titles = list && list.courses && list.courses[slug];
    return titles ? (titles[lang()] || titles.vi || msg.unknown_name) : msg.unknown_name;
  }

  /* The verdict: status "valid" | "revoked" | "unconfirmed" (signature good) or "invalid". */
  async function show(root, msg, token) {
    var out = root.querySelector(".lms-vo-result");
    out.textContent = "";
    var keys = await loadKeys(root.getAttribute("data-keys-url"));
    var list = await loadRevocations(root.getAttribute("data-revocations-url"), keys && keys.jwks);
    if (!token) return;  // nothing to check yet: the keys and the list are kept for later, offline
    var result = keys ? await verifyToken(token, keys.jwks) : { ok: false, reason: "no_keys" };
    var maxDays = Number(root.getAttribute("data-max-list-days") || "7");
    var stale = list && Date.now() - Date.parse(list.date) > maxDays * 86400000;
    var status = "invalid", revokedOn = null;
    if (result.ok) {
      var hash = await codeHash(result.claims.code);
      if (list && Object.prototype.hasOwnProperty.call(list.revoked, hash)) {
        status = "revoked"; revokedOn = list.revoked[hash];
      } else {
        status = list && !stale ? "valid" : "unconfirmed";
      }
    }
    var banner = el("p", "st st-" + status + " lms-vo-status" +
                    (status === "valid" ? " lms-vo-ok" : status === "invalid" ? " lms-vo-bad" : ""));
    banner.setAttribute("role", "status");
    banner.appendChild(el("b", "", { valid: "\u2713 ", revoked: "\u26a0 ", unconfirmed: "? ", invalid: "\u2717 " }[status] +
                                     msg["status_" + status]));
    var line = status === "invalid" ? (msg[result.reason] || msg.invalid) : status === "revoked" ? msg.revoked :
      status === "unconfirmed" ? msg.unconfirmed : msg.valid;
    banner.appendChild(el("span", "", line));
    out.appendChild(banner);
    if (result.ok) {
      var c = result.claims, dl = el("dl");
      var units = (list && list.units) || {};
      var rows = [
        [msg.revoked_on, revokedOn ? day(revokedOn) : ""],
        [msg.name, c.maskedName],
        c.kind === "path" ? [msg.path, msg.path_title] : [msg.course, courseTitle(list, c.subject, msg)],
        [msg.audience, c.audience ? (msg[c.audience] || "") : ""],
        [msg.unit, c.unitCode ? (units[c.unitCode] || msg.unknown_name) : ""],
        [msg.issued, day(c.issuedOn)],
        [msg.issued_by, (list && list.issuer) || ""],
        [msg.code, c.code]
      ];
      rows.forEach(function (row) {
        if (row[1]) { dl.appendChild(el("dt", "", row[0])); dl.appendChild(el("dd", "", row[1])); }
      });
      out.appendChild(dl);
      if (status === "valid") out.appendChild(el("p", "lms-vo-hint", msg.compare_id));
    }
    // under every verdict: which revocation list this device holds
    var note = list ? msg.list_date.replace("{date}", moment(list.date)) : msg.no_list;
    if (stale) note += " " + msg.list_stale.replace("{days}", String(maxDays));
    out.appendChild(el("p", "lms-vo-list" + (list && !stale ? "" : " lms-vo-note"), note));
    var base = root.getAttribute("data-online-base");
    if (base !== null && /^[0-9A-Za-z]+$/.test(token)) {
      var a = el("a", "lms-vo-online", msg.check_online);
      a.href = base.replace(/\/$/, "") + "/V/" + token;
      out.appendChild(a);
    }
    root.setAttribute("data-status", status);
    root.setAttribute("data-result", result.ok ? "valid" : result.reason);
  }

  function init(root) {
    var msg = Object.assign({}, MESSAGES);
    try { Object.assign(msg, JSON.parse(root.getAttribute("data-messages") || "{}")); } catch (e) { /* keep English */ }
    var form = el("form", "lms-vo-form"), input = el("input");
    input.name = "token"; input.setAttribute("aria-label", msg.input); input.placeholder = msg.input;
    input.autocomplete = "off"; input.spellcheck = false;
    form.appendChild(input); form.appendChild(el("button", "", msg.check));
    root.appendChild(form); root.appendChild(el("div", "lms-vo-result"));
    form.addEventListener("submit", function (ev) { ev.preventDefault(); show(root, msg, tokenFrom(input.value)); });
    var token = root.getAttribute("data-token") || tokenFromLocation(window.location);
    input.value = token;
    show(root, msg, token);
    var sw = root.getAttribute("data-sw-url");
    if (sw && "serviceWorker" in navigator) {
      var query = "?page=" + encodeURIComponent(root.getAttribute("data-page-url") || window.location.pathname) +
        "&keys=" + encodeURIComponent(root.getAttribute("data-keys-url")) +
        "&asset=" + encodeURIComponent(SCRIPT_URL);
      // the page's own stylesheets are kept too, so it looks the same offline
      document.querySelectorAll('link[rel="stylesheet"]').forEach(function (link) {
        if (link.href) query += "&asset=" + encodeURIComponent(link.href);
      });
      navigator.serviceWorker.register(sw + query, { scope: root.getAttribute("data-sw-scope") || undefined })
        .catch(function () { /* the page still works online */ });
    }
  }

  window.LmsCertVerify = { verifyToken: verifyToken, loadKeys: loadKeys, tokenFrom: tokenFrom,
                           openList: openList, codeHash: codeHash, loadRevocations: loadRevocations,
                           tokenFromLocation: tokenFromLocation, TEXT_ALPHABET: TEXT };
  function start() { document.querySelectorAll("[data-lms-verify-offline]").forEach(init); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
