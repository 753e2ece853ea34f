// The settings tab's one piece of behaviour: a checkbox with data-reveals shows or hides the
// block it names (the dimension-header selects under "Siirretään Severan projektit ...").
document.querySelectorAll("input[data-reveals]").forEach(function (box) {
  var target = document.getElementById(box.dataset.reveals);
  if (!target) return;
  var sync = function () { target.hidden = !box.checked; };
  box.addEventListener("change", sync);
  sync();
});
