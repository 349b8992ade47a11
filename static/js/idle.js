// Idle sign-out (accounts/): a warning two minutes before the session ends, and nothing typed
// is lost. Timings and addresses come from data- attributes on <body>
// (templates/accounts/_idle_attributes.html), present only for signed-in staff.
//
// - Asking the server how much time is left does not count as activity, so tabs left open do
//   not keep a session alive; "Stay signed in" does.
// - When the time runs out, a form marked data-stash that was changed is saved to the server
//   for this person and page, then the browser goes to the sign-in page with ?next=this page.
// - After signing in again, the same page puts the saved values back into the form, says so,
//   and deletes the saved copy.
(function () {
  "use strict";

  var SKIP_TYPES = ["file", "submit", "button", "reset", "image"];
  var cfg = null;
  var deadline = 0; // local clock (ms) when the server will sign this session out
  var timer = null;
  var countdownTimer = null;
  var dialog = null;
  var warningShown = false;
  var hidingByScript = false;
  var expiring = false;
  var focusBefore = null;
  var stashForm = null;
  var initialSnapshot = "";

  // --- Talking to the server ------------------------------------------------------------------

  function csrfToken() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (field && field.value) return field.value;
    try {
      var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      if (headers["X-CSRFToken"]) return headers["X-CSRFToken"];
    } catch (error) { /* fall through to the cookie */ }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // JSON from one of the accounts endpoints, or null when the answer is not JSON (the session
  // has ended and the sign-in page answered instead).
  function call(method, url, params) {
    var options = {
      method: method,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
    };
    if (params) options.body = new URLSearchParams(params);
    return fetch(url, options).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (response.redirected || type.indexOf("application/json") === -1) return null;
      return response.json();
    });
  }

  function goToSignIn() {
    var next = window.location.pathname + window.location.search;
    window.location.assign(cfg.loginUrl + "?next=" + encodeURIComponent(next));
  }

  // --- The form stash -------------------------------------------------------------------------

  function usable(el) {
    return el.name && el.name !== "csrfmiddlewaretoken" && SKIP_TYPES.indexOf(el.type) === -1;
  }

  function collect(form) {
    var pairs = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!usable(el) || el.disabled) return;
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) return;
      if (el.type === "select-multiple") {
        Array.prototype.forEach.call(el.options, function (option) {
          if (option.selected) pairs.push([el.name, option.value]);
        });
        return;
      }
      pairs.push([el.name, el.value]);
    });
    return pairs;
  }

  function fieldNames(form) {
    var names = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (usable(el) && names.indexOf(el.name) === -1) names.push(el.name);
    });
    return names;
  }

  function fire(el) {
    el.dispatchEvent(new Event("input", { bubbles: true }));
    el.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function restore(form, data) {
    var byName = {};
    (data.values || []).forEach(function (pair) {
      (byName[pair[0]] = byName[pair[0]] || []).push(pair[1]);
    });
    var names = data.names && data.names.length ? data.names : Object.keys(byName);
    var position = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!usable(el) || names.indexOf(el.name) === -1) return;
      var values = byName[el.name] || [];
      var changed = false;
      if (el.type === "checkbox" || el.type === "radio") {
        var checked = values.indexOf(el.value) !== -1;
        changed = el.checked !== checked;
        el.checked = checked;
      } else if (el.type === "select-multiple") {
        Array.prototype.forEach.call(el.options, function (option) {
          var selected = values.indexOf(option.value) !== -1;
          changed = changed || option.selected !== selected;
          option.selected = selected;
        });
      } else {
        var index = position[el.name] || 0;
        position[el.name] = index + 1;
        if (index < values.length && el.value !== values[index]) {
          el.value = values[index];
          changed = true;
        }
      }
      if (changed) fire(el);
    });
  }

  function showRestoredNotice(form) {
    var notice = document.createElement("div");
    notice.className = "alert alert-info alert-dismissible";
    notice.setAttribute("role", "status");
    notice.id = "stash-restored";
    notice.textContent = "Restored what you were typing before you were signed out. Check it, then save.";
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("data-bs-dismiss", "alert");
    close.setAttribute("aria-label", "Close");
    notice.appendChild(close);
    form.parentNode.insertBefore(notice, form);
  }

  function restoreStash() {
    var path = window.location.pathname;
    call("GET", cfg.stashUrl + "?path=" + encodeURIComponent(path)).then(function (data) {
      if (!data || !data.found) return;
      restore(stashForm, data);
      showRestoredNotice(stashForm);
      call("POST", cfg.stashDiscardUrl, { path: path });
    }).catch(function () { /* nothing restored; the page works as it is */ });
  }

  function saveStash() {
    if (!stashForm || JSON.stringify(collect(stashForm)) === initialSnapshot) return Promise.resolve();
    return call("POST", cfg.stashUrl, {
      path: window.location.pathname,
      values: JSON.stringify(collect(stashForm)),
      names: JSON.stringify(fieldNames(stashForm))
    });
  }

  // --- The warning and the sign-out -----------------------------------------------------------

  function formatLeft(ms) {
    var seconds = Math.max(0, Math.ceil(ms / 1000));
    var rest = seconds % 60;
    return Math.floor(seconds / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function updateCountdown() {
    var target = dialog && dialog.querySelector("[data-idle-countdown]");
    if (target) target.textContent = formatLeft(deadline - Date.now());
  }

  function modal() {
    return window.bootstrap && window.bootstrap.Modal ? window.bootstrap.Modal.getOrCreateInstance(dialog) : null;
  }

  function showWarning() {
    if (!dialog || warningShown) return;
    warningShown = true;
    focusBefore = document.activeElement;
    updateCountdown();
    countdownTimer = window.setInterval(updateCountdown, 1000);
    var instance = modal();
    if (instance) {
      instance.show();
    } else {
      dialog.classList.add("d-block", "show");
      dialog.querySelector("[data-idle-stay]").focus();
    }
  }

  function hideWarning() {
    if (!warningShown) return;
    hidingByScript = true;
    var instance = modal();
    if (instance) instance.hide();
    else warningHidden();
  }

  // The dialog closed: by "Stay signed in" or Escape (the person is here), or by this script.
  function warningHidden() {
    var byPerson = !hidingByScript;
    hidingByScript = false;
    warningShown = false;
    window.clearInterval(countdownTimer);
    dialog.classList.remove("d-block", "show");
    if (focusBefore && focusBefore.focus) focusBefore.focus();
    if (byPerson && !expiring) stay();
  }

  function stay() {
    if (Date.now() >= deadline) {
      check();
      return;
    }
    call("POST", cfg.keepAliveUrl).then(function (data) {
      if (!data) goToSignIn();
      else plan(data.seconds_left);
    }).catch(function () { plan((deadline - Date.now()) / 1000); });
  }

  function expire() {
    if (expiring) return;
    expiring = true;
    window.clearTimeout(timer);
    saveStash().then(goToSignIn, goToSignIn);
  }

  // Decide from the server's seconds left: wait, warn, or sign out.
  function plan(secondsLeft) {
    window.clearTimeout(timer);
    deadline = Date.now() + secondsLeft * 1000;
    if (secondsLeft <= 0) {
      expire();
    } else if (secondsLeft <= cfg.warning) {
      showWarning();
      timer = window.setTimeout(check, secondsLeft * 1000);
    } else {
      hideWarning();
      timer = window.setTimeout(check, (secondsLeft - cfg.warning) * 1000);
    }
  }

  // Ask the server (activity in another tab counts); without an answer, trust the local clock.
  function check() {
    call("GET", cfg.statusUrl).then(function (data) {
      if (!data) goToSignIn();
      else plan(data.seconds_left);
    }).catch(function () {
      plan(Math.max(0, (deadline - Date.now()) / 1000));
    });
  }

  function start() {
    var body = document.body;
    if (!body.hasAttribute("data-idle-seconds-left")) return; // not signed in
    cfg = {
      secondsLeft: parseInt(body.getAttribute("data-idle-seconds-left"), 10),
      warning: parseInt(body.getAttribute("data-idle-warning-seconds"), 10) || 120,
      statusUrl: body.getAttribute("data-idle-status-url"),
      keepAliveUrl: body.getAttribute("data-idle-keep-alive-url"),
      loginUrl: body.getAttribute("data-idle-login-url"),
      stashUrl: body.getAttribute("data-stash-url"),
      stashDiscardUrl: body.getAttribute("data-stash-discard-url")
    };
    dialog = document.getElementById("idle-warning");
    if (dialog) {
      dialog.addEventListener("shown.bs.modal", function () {
        dialog.setAttribute("role", "alertdialog"); // Bootstrap sets "dialog" on show: this one asks for an answer
        dialog.querySelector("[data-idle-stay]").focus();
      });
      dialog.addEventListener("hidden.bs.modal", warningHidden);
      dialog.querySelector("[data-idle-stay]").addEventListener("click", function () {
        var instance = modal();
        if (instance) instance.hide();
        else warningHidden();
      });
    }
    stashForm = document.querySelector("form[data-stash]");
    if (stashForm) {
      initialSnapshot = JSON.stringify(collect(stashForm));
      restoreStash();
    }
    // Timers sleep with the tab or the device: look again when the page is seen.
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible" && !expiring && deadline - Date.now() <= cfg.warning * 1000) check();
    });
    plan(cfg.secondsLeft);
  }

  // After the other scripts have set up their forms (body map, signature pad).
  if (document.readyState === "complete") start();
  else document.addEventListener("DOMContentLoaded", start);
})();
