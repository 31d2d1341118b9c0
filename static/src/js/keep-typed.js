// What was typed survives a rate-limit refusal. A whole-page form refused with 429
// (errors/429.html) leaves its page, and its "Back to the form" link opens the form
// empty. So every plain (non-htmx) POST form notes what was typed when it is sent;
// the 429 page marks that note to be put back; the form page, opened again, fills its
// empty fields from it. Any other answer drops the note. Passwords, one-time codes,
// files and hidden fields are never noted; the note lives in this tab's sessionStorage.
var KEY = "pacetrack:typed";

function read() {
  try {
    return JSON.parse(window.sessionStorage.getItem(KEY) || "null");
  } catch (error) {
    return null;
  }
}

function write(note) {
  try {
    if (note) window.sessionStorage.setItem(KEY, JSON.stringify(note));
    else window.sessionStorage.removeItem(KEY);
  } catch (error) {
    // Storage refused (private mode, quota): nothing is kept, nothing breaks.
  }
}

function kept(field) {
  if (!field.name || field.disabled || field.name === "csrfmiddlewaretoken") return false;
  // Codes from an authenticator app or an email are secrets of a moment: never kept.
  if ((field.getAttribute("autocomplete") || "").indexOf("one-time-code") >= 0) return false;
  var type = (field.type || "").toLowerCase();
  return ["password", "file", "hidden", "submit", "button", "reset", "image"].indexOf(type) < 0;
}

document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  if ((form.getAttribute("method") || "get").toLowerCase() !== "post") return;
  if (form.hasAttribute("hx-post") || form.hasAttribute("data-passkey")) return;
  var values = [];
  Array.prototype.forEach.call(form.elements, function (field) {
    if (!kept(field)) return;
    if ((field.type === "checkbox" || field.type === "radio") && !field.checked) return;
    if (field.tagName === "SELECT" && field.multiple) {
      Array.prototype.forEach.call(field.selectedOptions, function (option) {
        values.push([field.name, option.value]);
      });
      return;
    }
    values.push([field.name, field.value]);
  });
  write({
    page: window.location.pathname,
    action: form.getAttribute("action") || "",
    values: values,
    restore: false,
  });
}, true);

function restoreInto(form, values) {
  var touched = {};
  values.forEach(function (pair) {
    var name = pair[0], value = pair[1];
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name !== name || !kept(field)) return;
      if (field.type === "checkbox" || field.type === "radio") {
        if (field.value === value) field.checked = true;
      } else if (field.tagName === "SELECT") {
        Array.prototype.forEach.call(field.options, function (option) {
          if (option.value === value) option.selected = true;
        });
      } else if (!field.value && !touched[name]) {
        field.value = value;
        touched[name] = true;
      }
    });
  });
}

document.addEventListener("DOMContentLoaded", function () {
  var note = read();
  if (!note) return;
  if (document.querySelector("[data-refused-post]")) {
    note.restore = true;  // this is the 429 page: the way back puts it in
    write(note);
    return;
  }
  write(null);
  if (!note.restore || note.page !== window.location.pathname) return;
  Array.prototype.forEach.call(document.querySelectorAll("form"), function (form) {
    if ((form.getAttribute("action") || "") === note.action) restoreInto(form, note.values);
  });
});
