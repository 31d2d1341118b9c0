// While a form's request is in flight its submit buttons are disabled (no double
// submits, not even by pressing Enter) and the one pressed shows a spinner (.is-busy
// in app.css); the form is aria-busy. htmx forms are released when the answer is in,
// unless it sends the browser elsewhere (HX-Redirect); plain forms stay busy until the
// next page loads (and are released if the browser comes back to this one).

var SUBMIT_BUTTONS = 'button:not([type]), button[type="submit"], input[type="submit"]';
var held = new WeakMap();

function hold(form, pressed) {
  var buttons = Array.prototype.filter.call(form.elements, function (element) {
    return element.matches(SUBMIT_BUTTONS) && !element.disabled;
  });
  var busy = buttons.indexOf(pressed) >= 0 ? pressed : buttons[0];
  var refocus = busy && busy === document.activeElement;
  buttons.forEach(function (button) {
    button.disabled = true;
    button.setAttribute("data-busy-held", "");
  });
  if (busy) busy.classList.add("is-busy");
  form.setAttribute("aria-busy", "true");
  return function release() {
    buttons.forEach(function (button) {
      button.disabled = false;
      button.removeAttribute("data-busy-held");
      button.classList.remove("is-busy");
    });
    form.removeAttribute("aria-busy");
    var lost = !document.activeElement || document.activeElement === document.body;
    if (refocus && lost && busy.isConnected) busy.focus();
  };
}

function formOf(element) {
  if (element instanceof HTMLFormElement) return element;
  return element && element.closest ? element.closest("form") : null;
}

document.addEventListener("htmx:beforeRequest", function (event) {
  var form = formOf(event.detail.elt);
  if (!form || form.method === "dialog") return;
  var trigger = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
  held.set(event.detail.elt, hold(form, trigger && trigger.submitter));
});

document.addEventListener("htmx:afterRequest", function (event) {
  var release = held.get(event.detail.elt);
  if (!release) return;
  held.delete(event.detail.elt);
  var xhr = event.detail.xhr;
  if (xhr && xhr.getResponseHeader("HX-Redirect")) return; // the page is going away
  release();
});

// Plain forms a person submitted (a button, or Enter, which presses the default button;
// not a script's requestSubmit()): once this submit event is over (a disabled button is
// not sent with the form), unless something took the submit over: htmx, the confirmation
// dialog, a passkey ceremony (listeners that may run after this one, hence the check then).
document.addEventListener("submit", function (event) {
  var form = event.target;
  var pressed = event.submitter;
  if (!(form instanceof HTMLFormElement) || !pressed) return;
  if (form.method === "dialog" || (form.target && form.target !== "_self")) return;
  setTimeout(function () {
    if (!event.defaultPrevented) hold(form, pressed);
  }, 0);
});

window.addEventListener("pageshow", function (event) {
  if (!event.persisted) return; // back from the next page, out of the back-forward cache
  document.querySelectorAll("[data-busy-held]").forEach(function (button) {
    button.disabled = false;
    button.removeAttribute("data-busy-held");
    button.classList.remove("is-busy");
    if (button.form) button.form.removeAttribute("aria-busy");
  });
});
