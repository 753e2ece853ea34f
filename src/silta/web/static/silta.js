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
