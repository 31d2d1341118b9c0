// One confirmation dialog for every destructive action, htmx or plain
// (templates/elements/confirm_dialog.html). A form asks with {% confirm_field %}
// (core/templatetags/confirm.py): a hidden field named "confirm-ask" whose value says
//   {"question": "Delete the team “Design”?",  the dialog's title
//    "detail": "…",                            what follows (optional)
//    "button": "Delete team",                  the button that does it
//    "cancel": "Keep it",                      the button that does not (optional)
//    "when": ["role", "7"]}                    only when that value is sent (optional:
//                                              making someone an owner from a role select)
// The submit is held back (in the capture phase, before htmx sees it) until the person
// confirms, then sent again as it was, with confirmed=1 added to what it sends (a
// "formdata" listener: native submits and htmx read the form through FormData, also when
// reauth.js sends an htmx request again after "Confirm it's you"). Focus starts on
// Cancel, Escape cancels, and focus returns to the button that opened it.
// Without confirmed (no JavaScript, or no dialog in the page) the server asks instead, on
// a page of its own (core/confirm.py); a form that already carries a confirmed field was
// answered there and is not asked again.
// Without words for the buttons they keep the ones the page rendered (translated
// there), remembered before the first question changes them.

var ASK_FIELD = "confirm-ask";
var CONFIRMED_FIELD = "confirmed";
var confirmed = new WeakSet(); // the confirmed submit, let through once
var answered = new WeakSet(); // forms whose last submit was confirmed (or sent to be refused)

// A form the server can only refuse (a required field left empty, a number outside its
// min and max, or a "type the name to confirm" field that does not match its
// data-must-equal) is sent without asking:
// its answer says what is missing, before any warning about what would happen. Every
// doubt falls on the side of asking: a field counts as empty only when nothing at all
// was typed (a password of spaces is a password), and the name is compared with more
// whitespace stripped than Python's str.strip() takes off.
var EDGES = /^[\s\x1c-\x1f\x85]+|[\s\x1c-\x1f\x85]+$/g;

function refusable(form) {
  return Array.prototype.some.call(form.elements, function (field) {
    if (field.disabled || !field.name) return false;
    // Outside its own limits (a number above its max): the server says so beside it.
    var validity = field.validity;
    if (validity && (validity.rangeOverflow || validity.rangeUnderflow || validity.badInput)) {
      return true;
    }
    if (field.type === "checkbox") return field.required && !field.checked;
    if (field.type === "radio") {
      return field.required && !form.querySelector('input[name="' + CSS.escape(field.name) + '"]:checked');
    }
    var value = typeof field.value === "string" ? field.value : "";
    if (field.required && value === "") return true;
    var expected = field.getAttribute("data-must-equal");
    return expected !== null && value.replace(EDGES, "") !== expected;
  });
}

// What the form asks for what it would send now, else null.
function askOf(form) {
  var fields = form.querySelectorAll('input[name="' + ASK_FIELD + '"]');
  if (!fields.length || form.querySelector('input[name="' + CONFIRMED_FIELD + '"]')) return null;
  var sent = null;
  for (var i = 0; i < fields.length; i += 1) {
    var ask;
    try {
      ask = JSON.parse(fields[i].value);
    } catch (error) {
      ask = {}; // unreadable: still asked, in the dialog's own words
    }
    if (!ask.when) return ask;
    sent = sent || new FormData(form);
    if (sent.getAll(ask.when[0]).indexOf(ask.when[1]) !== -1) return ask;
  }
  return null;
}

function ask(words, opener) {
  var dialog = document.getElementById("confirm-dialog");
  var title = dialog.querySelector("#confirm-dialog-title");
  var detail = dialog.querySelector("#confirm-dialog-detail");
  var cancel = dialog.querySelector("#confirm-dialog-cancel");
  var accept = dialog.querySelector("#confirm-dialog-accept");
  [title, accept, cancel].forEach(function (element) {
    if (!element.hasAttribute("data-default-label")) {
      element.setAttribute("data-default-label", element.textContent);
    }
  });
  title.textContent = words.question || title.getAttribute("data-default-label");
  detail.textContent = words.detail || "";
  detail.hidden = !detail.textContent;
  accept.textContent = words.button || accept.getAttribute("data-default-label");
  // Red for what destroys or takes away; the brand's colour for a choice that only needs
  // a second look (core/confirm.py, `tone`).
  accept.classList.toggle("btn-danger", words.tone !== "primary");
  accept.classList.toggle("btn-primary", words.tone === "primary");
  cancel.textContent = words.cancel || cancel.getAttribute("data-default-label");
  dialog.returnValue = "";
  return new Promise(function (resolve) {
    dialog.addEventListener(
      "close",
      function () {
        if (opener && opener.isConnected) opener.focus();
        resolve(dialog.returnValue === "confirm");
      },
      { once: true },
    );
    dialog.showModal();
    cancel.focus();
  });
}

// A question asked for one choice (`when`): answered no, that choice goes back to what
// the page was drawn with, so the form does not show what was not done (a walk saw
// "Owner" still chosen, Save offered, after cancelling "Make … an owner?").
function putBack(form, name) {
  var field = form.elements[name];
  if (!field) return;
  var fields = field instanceof RadioNodeList ? Array.from(field) : [field];
  fields.forEach(function (element) {
    if (element instanceof HTMLSelectElement) {
      Array.from(element.options).forEach(function (option) { option.selected = option.defaultSelected; });
    } else if (element.type === "checkbox" || element.type === "radio") {
      element.checked = element.defaultChecked;
    } else {
      element.value = element.defaultValue;
    }
    element.dispatchEvent(new Event("input", { bubbles: true }));
    element.dispatchEvent(new Event("change", { bubbles: true }));
  });
}

// After putBack, the button that asked (a role's Save) is hidden again and focus fell to
// <body> (a keyboard walk: the next Shift+Tab started over): the choice takes it.
function focusChoice(form, name) {
  var active = document.activeElement;
  if (active && active !== document.body && active.getClientRects().length) return;
  var field = form.elements[name];
  if (field instanceof RadioNodeList) {
    field = Array.from(field).find(function (radio) { return radio.checked; }) || field[0];
  }
  if (field && field.focus) field.focus();
}

document.addEventListener(
  "submit",
  function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var submitter = event.submitter;
    if (confirmed.has(form)) {
      confirmed.delete(form); // this is the confirmed submit: let it through
      return;
    }
    answered.delete(form);
    var words = askOf(form);
    // No dialog in this page (one not built on base.html): the server asks.
    if (!words || !document.getElementById("confirm-dialog")) return;
    if (refusable(form)) {
      answered.add(form); // the server's refusal comes first, not its question
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    ask(words, submitter || form.querySelector("[type=submit], button:not([type])")).then(function (yes) {
      if (!yes && words.when && form.isConnected) {
        putBack(form, words.when[0]);
        focusChoice(form, words.when[0]);
      }
      if (!yes || !form.isConnected) return;
      confirmed.add(form);
      answered.add(form);
      if (submitter && submitter.form === form) form.requestSubmit(submitter);
      else form.requestSubmit();
    });
  },
  true,
);

// What a confirmed form sends (natively or through htmx) says so.
document.addEventListener("formdata", function (event) {
  if (answered.has(event.target) && !event.formData.has(CONFIRMED_FIELD)) {
    event.formData.append(CONFIRMED_FIELD, "1");
  }
});

// A click on the backdrop (outside the dialog's box) cancels, as Escape does.
document.addEventListener("click", function (event) {
  var dialog = document.getElementById("confirm-dialog");
  if (dialog && event.target === dialog) dialog.close("");
});
