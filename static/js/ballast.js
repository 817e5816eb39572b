// Ballast's small browser helpers. Everything works without them; they only
// make common actions quicker.
(function () {
  "use strict";

  // A button with data-copy="ID" copies the text of element ID to the clipboard.
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("[data-copy]");
    if (!btn || !navigator.clipboard) return;
    var src = document.getElementById(btn.getAttribute("data-copy"));
    if (!src) return;
    navigator.clipboard.writeText(src.textContent.trim()).then(function () {
      var label = btn.textContent;
      btn.textContent = "Copied";
      setTimeout(function () { btn.textContent = label; }, 1500);
    });
  });

  // A live refresh (the blotter reloads its table on every change) replaces
  // the rows, and with them the boxes a trader has ticked for a bulk
  // action: note the ticked ones before the swap and tick them again after,
  // where the same order is still there to tick. Only a refresh (a GET)
  // keeps them; the answer to an action starts afresh.
  var ticked = new WeakMap();
  document.addEventListener("htmx:beforeSwap", function (ev) {
    var target = ev.detail.target;
    var cfg = ev.detail.requestConfig;
    if (!target || !cfg || String(cfg.verb).toLowerCase() !== "get") return;
    var keep = [];
    target.querySelectorAll("input[type=checkbox]:checked").forEach(function (box) {
      keep.push(box.name + "\u0000" + box.value);
    });
    ticked.set(target, keep);
  });
  document.addEventListener("htmx:afterSwap", function (ev) {
    var target = ev.detail.target;
    var keep = target && ticked.get(target);
    if (!keep || keep.length === 0) return;
    ticked.delete(target);
    target.querySelectorAll("input[type=checkbox]").forEach(function (box) {
      if (keep.indexOf(box.name + "\u0000" + box.value) >= 0) box.checked = true;
    });
  });
})();
