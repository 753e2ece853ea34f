// The settings tab's one piece of behaviour: a checkbox with data-reveals shows or hides the
// block it names (the dimension-header selects under "Siirretään Severan projektit ...").
document.querySelectorAll("input[data-reveals]").forEach(function (box) {
  var target = document.getElementById(box.dataset.reveals);
  if (!target) return;
  var sync = function () { target.hidden = !box.checked; };
  box.addEventListener("change", sync);
  sync();
});

// Live progress (templates/_progress.html): a section with data-progress-url asks that
// address (JSON) every 1.5 s how far the company's runs going now have got, and rewrites
// each run's line and bar. When the runs going change (one ended, the next began) or none
// is going any more, the page reloads once, to show what they did.
(function () {
  var box = document.querySelector("[data-progress-url]");
  if (!box || !window.fetch) return;
  var url = box.dataset.progressUrl;
  var shown = box.dataset.progressRuns || "";
  var every = 1500;
  var poll = function () {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (answer) {
        if (!answer.ok) throw new Error("HTTP " + answer.status);
        return answer.json();
      })
      .then(function (data) {
        var ids = data.runs.map(function (run) { return String(run.id); }).join(",");
        if (!data.going || ids !== shown) {
          window.location.reload();
          return;
        }
        data.runs.forEach(function (run) {
          var row = box.querySelector('[data-run-progress="' + run.id + '"]');
          if (!row) return;
          var text = row.querySelector(".progress-text");
          if (text) text.textContent = run.text;
          var bar = row.querySelector("progress");
          if (bar) {
            bar.max = Math.max(run.read, 1);
            bar.value = run.done;
          }
        });
        setTimeout(poll, every);
      })
      .catch(function () { setTimeout(poll, every * 4); });  // signed out, or the server away
  };
  setTimeout(poll, every);
})();

// The overview (templates/tenants.html): a region with data-live-region is fetched again
// from the page's own address every data-live-every seconds while the tab is shown, and its
// contents replaced (health badges, failures, last and next runs, totals), so the operator
// sees a run start, fail or finish without reloading. The search form is outside it: typing
// there is never disturbed. A failed fetch (signed out, the server away) tries again later.
(function () {
  var region = document.querySelector("[data-live-region]");
  if (!region || !window.fetch || !window.DOMParser) return;
  var name = region.dataset.liveRegion;
  var wait = function () {
    var every = (parseInt(region.dataset.liveEvery, 10) || 30) * 1000;
    setTimeout(refresh, every);
  };
  var refresh = function () {
    if (document.hidden) { wait(); return; }
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (answer) {
        if (!answer.ok || answer.redirected) throw new Error("HTTP " + answer.status);
        return answer.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.querySelector('[data-live-region="' + name + '"]');
        if (fresh) {
          region.innerHTML = fresh.innerHTML;
          region.dataset.liveEvery = fresh.dataset.liveEvery;
        }
        wait();
      })
      .catch(wait);
  };
  wait();
})();
// The settings tab's live lookups (silta.web.lookups): the tab is rendered at once with the
// last known answers; this asks for fresh ones (an HTML fragment rendered by the server,
// every text in it escaped there) and puts each piece with data-slot in its place. A choice
// the user already made in a header select is kept when it is among the fresh options.
(function () {
  var box = document.querySelector("[data-lookups-url]");
  if (!box || !window.fetch || !window.DOMParser) return;
  var touched = function (control) {  // changed by the user since the page was rendered
    if (control.tagName !== "SELECT") return control.value !== control.defaultValue;
    var first = control.querySelector("option[selected]") || control.options[0];
    return control.value !== (first ? first.value : "");
  };
  fetch(box.dataset.lookupsUrl, { credentials: "same-origin", headers: { Accept: "text/html" } })
    .then(function (answer) {
      if (!answer.ok) throw new Error("HTTP " + answer.status);
      return answer.text();
    })
    .then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html");
      fresh.querySelectorAll("[data-slot]").forEach(function (piece) {
        var name = piece.getAttribute("data-slot");
        // a piece may sit outside the main form (the invoice transfer's own form)
        var old = box.querySelector('[data-slot="' + name + '"]') ||
          document.querySelector('[data-slot="' + name + '"]');
        if (!old) return;
        var node = document.importNode(piece, true);
        // every control the user already changed keeps its choice, when the fresh piece
        // offers it (a piece may hold several: the invoice transfer's two statuses)
        old.querySelectorAll("select[name], input[name]").forEach(function (before) {
          if (!touched(before)) return;
          var after = node.querySelector('[name="' + CSS.escape(before.name) + '"]');
          if (!after) return;
          var kept = before.value;
          if (after.tagName === "INPUT" || after.querySelector('option[value="' + CSS.escape(kept) + '"]')) {
            after.value = kept;
          }
        });
        old.replaceWith(node);
      });
      box.setAttribute("data-lookups-done", "1");
    })
    .catch(function () { /* the last known answers stay, with their time */ });
})();

// A table that scrolls sideways in its own box (.scroll) must be reachable by keyboard to be
// scrolled: a box with nothing focusable inside becomes focusable itself (axe-core's
// scrollable-region-focusable). Templates give their own boxes a name where they can.
document.querySelectorAll(".scroll:not([tabindex])").forEach(function (box) {
  if (!box.querySelector("a[href], button, input, select, textarea")) box.tabIndex = 0;
});
