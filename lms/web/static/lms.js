// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
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
})();
