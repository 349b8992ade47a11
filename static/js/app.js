// Small behaviours shared by every page. No inline scripts: this file is all.
(function () {
  "use strict";

  // A form marked data-single-submit cannot be sent twice by a double click.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-single-submit")) return;
    if (form.dataset.submitting === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.submitting = "1";
    // The pressed button's name/value still goes with the request (it is read before this runs).
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    }, 0);
  });

  // Escape closes the global search dropdown.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var results = document.getElementById("global-search-results");
    if (results && results.innerHTML.trim()) {
      results.innerHTML = "";
      var input = document.getElementById("global-search");
      if (input) input.focus();
    }
  });

  // Move focus to the duplicate warning so keyboard and screen-reader users meet it first.
  document.addEventListener("DOMContentLoaded", function () {
    var warning = document.getElementById("duplicate-warning");
    if (warning) warning.focus();
  });
})();

// "Copy" buttons next to read-only fields (the new intake link).
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-copy-target]");
  if (!button) return;
  var field = document.getElementById(button.getAttribute("data-copy-target"));
  if (!field) return;
  field.select();
  if (navigator.clipboard) {
    navigator.clipboard.writeText(field.value).then(function () { button.textContent = "Copied"; });
  } else {
    document.execCommand("copy");
    button.textContent = "Copied";
  }
});
