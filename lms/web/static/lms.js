// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Registration: choosing a province reloads the commune list (the button does it without JS).
  var province = document.getElementById("province");
  var pick = document.getElementById("pick_province");
  if (province && pick) {
    pick.hidden = true;
    province.addEventListener("change", function () { pick.hidden = false; pick.click(); });
  }
})();
