// The holder's Share and Copy buttons (show.html). Progressive enhancement only: without this
// file the link is in plain view, to select and copy, with a plain Facebook share link.
(function () {
  "use strict";
  var box = document.getElementById("share");
  var input = document.getElementById("share-url");
  if (!box || !input) { return; }
  var shareButton = document.getElementById("share-button");
  var copyButton = document.getElementById("copy-button");
  var status = document.getElementById("share-status");
  var url = input.value;

  function say(text) { status.textContent = text; }

  function selectLink() {
    input.focus();
    input.select();
    input.setSelectionRange(0, url.length);
  }

  // Older browsers (and pages not served over https) have no navigator.clipboard:
  // select the link and ask for a copy the old way; if even that fails, leave it selected.
  function copyByHand() {
    selectLink();
    var done = false;
    try { done = document.execCommand("copy"); } catch (e) { done = false; }
    say(box.getAttribute(done ? "data-copied" : "data-copy-failed"));
  }

  function copy() {
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(url).then(function () {
        say(box.getAttribute("data-copied"));
      }, copyByHand);
    } else {
      copyByHand();
    }
  }

  copyButton.hidden = false;
  copyButton.addEventListener("click", copy);
  input.addEventListener("focus", selectLink);

  if (navigator.share) {
    shareButton.hidden = false;
    shareButton.addEventListener("click", function () {
      navigator.share({ title: box.getAttribute("data-title"), url: url }).catch(function (error) {
        // the person closed the share sheet: nothing to do; anything else: copy instead
        if (!error || error.name !== "AbortError") { copy(); }
      });
    });
  }
})();
