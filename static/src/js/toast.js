// Toasts in the region of templates/elements/toasts.html:
// - what the server sends with an htmx answer: an HX-Trigger event
//   {"toast": {"items": [{"level": "success", "message": "…"}]}} (core/htmx.py);
// - a notice when an htmx request fails without saying why (a 403/404/5xx from a proxy,
//   no network). base.html's htmx-config swaps nothing for those, so the page stays as it was.
// Confirmations are polite and leave after a few seconds (not while hovered or focused);
// errors and warnings are alerts and stay until dismissed. A confirmation speaks for the
// action before: the next answer replaces it, so "Adam added to Design." no longer sits
// beside the refusal of what came after, as if both were true now.

// The words come translated from <body data-i18n-…> (templates/base.html); the English
// here is only for a page without them.

var SHOWN_FOR_MS = 6000;
var MOST_AT_ONCE = 4;

function words(name, english) {
  return (document.body && document.body.dataset[name]) || english;
}

function unreachable() {
  return words("i18nUnreachable", "We could not reach the server. Check your connection and try again.");
}

function fallbackMessage(status) {
  if (status === 403) return words("i18nForbidden", "You don't have permission to do that. Reload the page and try again.");
  if (status === 404) return words("i18nNotFound", "That is no longer here. Reload the page to see the latest.");
  if (status >= 500) return words("i18nServerError", "Something went wrong on our side. Try again in a moment.");
  return words("i18nFailed", "That could not be done. Reload the page and try again.");
}

function dismiss(toast) {
  if (toast.parentNode) toast.parentNode.removeChild(toast);
}

function dismissConfirmations() {
  document.querySelectorAll("#toasts-status .toast").forEach(dismiss);
}

function show(level, message) {
  var urgent = level === "error" || level === "warning";
  var list = document.getElementById(urgent ? "toasts-alert" : "toasts-status");
  if (!list || !message) return;
  var toast = document.createElement("div");
  toast.className = "toast toast-" + level;
  toast.setAttribute("data-testid", "toast");
  toast.setAttribute("data-level", level);
  var text = document.createElement("p");
  text.className = "toast-text";
  text.textContent = message;
  var close = document.createElement("button");
  close.type = "button";
  close.className = "toast-close";
  close.setAttribute("aria-label", words("i18nDismiss", "Dismiss"));
  close.textContent = "×";
  close.addEventListener("click", function () {
    dismiss(toast);
  });
  toast.appendChild(text);
  toast.appendChild(close);
  list.appendChild(toast);
  var shown = document.querySelectorAll(".toast");
  for (var i = 0; i < shown.length - MOST_AT_ONCE; i++) dismiss(shown[i]);
  if (!urgent) leaveLater(toast);
}

function leaveLater(toast) {
  var timer = null;
  function start() {
    timer = setTimeout(function () {
      dismiss(toast);
    }, SHOWN_FOR_MS);
  }
  function stop() {
    clearTimeout(timer);
  }
  toast.addEventListener("mouseenter", stop);
  toast.addEventListener("focusin", stop);
  toast.addEventListener("mouseleave", start);
  toast.addEventListener("focusout", start);
  start();
}

function carriesToast(xhr) {
  try {
    var triggers = JSON.parse(xhr.getResponseHeader("HX-Trigger") || "{}");
    return Boolean(triggers && triggers.toast);
  } catch (error) {
    return false;
  }
}

document.addEventListener("toast", function (event) {
  var items = (event.detail && event.detail.items) || [];
  if (items.length) dismissConfirmations();
  items.forEach(function (item) {
    show(item.level || "info", item.message);
  });
});

document.addEventListener("htmx:responseError", function (event) {
  var xhr = event.detail.xhr;
  if (carriesToast(xhr)) return;
  dismissConfirmations();
  show("error", fallbackMessage(xhr.status));
});

document.addEventListener("htmx:sendError", function () {
  dismissConfirmations();
  show("error", unreachable());
});

document.addEventListener("htmx:timeout", function () {
  dismissConfirmations();
  show("error", unreachable());
});
