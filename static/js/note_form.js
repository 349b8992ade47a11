// Session note form: warn when an area the client asked not to have worked on is selected.
(function () {
  "use strict";
  function update(list, select) {
    var blocked = (list.getAttribute("data-do-not-work") || "").split(",").filter(Boolean);
    var region = select.getAttribute("data-body-region");
    var row = list.querySelector('[data-region-row="' + region + '"]');
    var warning = row && row.querySelector(".dnw-warning");
    if (!warning) return;
    warning.hidden = !(select.value && blocked.indexOf(region) !== -1);
  }
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-body-region]")) return;
    var list = select.closest("[data-do-not-work]");
    if (list) update(list, select);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-do-not-work]").forEach(function (list) {
      list.querySelectorAll("select[data-body-region]").forEach(function (select) { update(list, select); });
    });
    var conflict = document.getElementById("note-conflict");
    if (conflict) conflict.focus();
  });
})();
