// Body-map figure: clicking a region shape toggles that side in the matching list control.
// Progressive enhancement only; the list ([data-body-map-form]) works without this file.
//
// Contract
//   Figure:   [data-body-map="ID"] (class "is-interactive" when clicks should toggle),
//             shapes .body-region[data-region="<code>"][data-side="left|right|center"].
//   Controls: <select data-body-region="<code>"> inside [data-body-map-form="ID"],
//             options "" + "left", "right", "both" (paired) or "" + "center" (unpaired).
//   Click:    toggles the clicked side in the select, then dispatches a bubbling "change".
//   Sync:     on page load, on htmx:load and on every change of such a select, shapes whose
//             side is selected get class "is-selected" ("both" selects left and right).
//   Never moves focus or scrolls. Shapes are not focusable: the list is the keyboard route.
(function () {
  "use strict";

  function closest(el, selector) {
    while (el && el.nodeType === 1) {
      if (matches(el, selector)) return el;
      el = el.parentNode;
    }
    return null;
  }

  function matches(el, selector) {
    var fn = el.matches || el.msMatchesSelector || el.webkitMatchesSelector;
    return fn ? fn.call(el, selector) : false;
  }

  function cssString(value) {
    return '"' + String(value).replace(/["\\]/g, "\\$&") + '"';
  }

  function formFor(mapId) {
    return document.querySelector("[data-body-map-form=" + cssString(mapId) + "]");
  }

  function figuresFor(mapId) {
    return document.querySelectorAll("[data-body-map=" + cssString(mapId) + "]");
  }

  function selectFor(form, code) {
    return form ? form.querySelector("select[data-body-region=" + cssString(code) + "]") : null;
  }

  function hasOption(select, value) {
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === value) return true;
    }
    return false;
  }

  // "" / "left" / "right" / "both" / "center" after clicking `side` on a region showing `current`.
  function toggled(current, side) {
    if (side === "center") return current === "center" ? "" : "center";
    var left = current === "left" || current === "both";
    var right = current === "right" || current === "both";
    if (side === "left") left = !left;
    else if (side === "right") right = !right;
    if (left && right) return "both";
    if (left) return "left";
    if (right) return "right";
    return "";
  }

  function isSelected(value, side) {
    if (!value) return false;
    if (value === "both") return side === "left" || side === "right";
    return value === side;
  }

  function setClass(el, name, on) {
    // SVG elements: classList exists in every browser we support; fall back to the attribute.
    if (el.classList) {
      if (on) el.classList.add(name);
      else el.classList.remove(name);
      return;
    }
    var classes = (el.getAttribute("class") || "").split(/\s+/);
    var kept = [];
    for (var i = 0; i < classes.length; i++) {
      if (classes[i] && classes[i] !== name) kept.push(classes[i]);
    }
    if (on) kept.push(name);
    el.setAttribute("class", kept.join(" "));
  }

  function syncRegion(mapId, code, value) {
    var figures = figuresFor(mapId);
    for (var f = 0; f < figures.length; f++) {
      var shapes = figures[f].querySelectorAll(".body-region[data-region=" + cssString(code) + "]");
      for (var s = 0; s < shapes.length; s++) {
        setClass(shapes[s], "is-selected", isSelected(value, shapes[s].getAttribute("data-side")));
      }
    }
  }

  function syncForm(form) {
    var mapId = form.getAttribute("data-body-map-form");
    var selects = form.querySelectorAll("select[data-body-region]");
    for (var i = 0; i < selects.length; i++) {
      syncRegion(mapId, selects[i].getAttribute("data-body-region"), selects[i].value);
    }
  }

  function syncAll(root) {
    var forms = [];
    if (root.nodeType === 1 && matches(root, "[data-body-map-form]")) forms.push(root);
    var inner = root.querySelectorAll("[data-body-map-form]");
    for (var i = 0; i < inner.length; i++) forms.push(inner[i]);
    // A figure swapped in on its own still needs its (existing) form's state.
    var figures = root.querySelectorAll("[data-body-map]");
    for (var j = 0; j < figures.length; j++) {
      var form = formFor(figures[j].getAttribute("data-body-map"));
      if (form && forms.indexOf(form) === -1) forms.push(form);
    }
    for (var k = 0; k < forms.length; k++) syncForm(forms[k]);
  }

  function fireChange(select) {
    var event;
    try {
      event = new Event("change", { bubbles: true });
    } catch (e) {
      event = document.createEvent("HTMLEvents");
      event.initEvent("change", true, false);
    }
    select.dispatchEvent(event);
  }

  document.addEventListener("click", function (event) {
    var shape = closest(event.target, ".body-region[data-region]");
    if (!shape) return;
    var figure = closest(shape, "[data-body-map]");
    if (!figure || !matches(figure, ".is-interactive")) return;
    var select = selectFor(formFor(figure.getAttribute("data-body-map")), shape.getAttribute("data-region"));
    if (!select || select.disabled) return;
    var next = toggled(select.value, shape.getAttribute("data-side"));
    if (!hasOption(select, next)) return;
    event.preventDefault();
    if (next === select.value) return;
    select.value = next;
    fireChange(select); // the change listener below updates the shapes
  });

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select || select.nodeType !== 1 || !matches(select, "select[data-body-region]")) return;
    var form = closest(select, "[data-body-map-form]");
    if (!form) return;
    syncRegion(form.getAttribute("data-body-map-form"), select.getAttribute("data-body-region"), select.value);
  });

  // Forms reset with <button type=reset> change values without a change event.
  document.addEventListener("reset", function (event) {
    var form = event.target;
    window.setTimeout(function () {
      if (form && form.querySelectorAll) syncAll(form);
    }, 0);
  });

  // Content swapped in by htmx (htmx fires htmx:load on each new element).
  document.addEventListener("htmx:load", function (event) {
    if (event.target && event.target.querySelectorAll) syncAll(event.target);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      syncAll(document);
    });
  } else {
    syncAll(document);
  }
})();
