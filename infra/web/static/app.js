// dangvien web UI: the pages work without this script; it only prevents a double submit
// (a repeated step would repeat nothing anyway: each form carries its own command key).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.method.toLowerCase() !== "post") return;
  var buttons = form.querySelectorAll("button[type=submit]");
  window.setTimeout(function () {
    buttons.forEach(function (b) { b.disabled = true; });
  }, 0);
});
