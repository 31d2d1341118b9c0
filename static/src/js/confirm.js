// One confirmation dialog for every destructive action, htmx or plain
// (templates/elements/confirm_dialog.html): a form, or its submit button, says
//   data-confirm="Delete the team “Design”?"  the question (the dialog's title)
//   data-confirm-detail="…"                   what follows (optional)
//   data-confirm-button="Delete team"         the button that does it
//   data-confirm-cancel="Keep it"             the button that does not (optional)
// or the chosen <option> of one of its selects does, when only that choice needs asking
// (making someone an owner from a role select).
// The submit is held back (in the capture phase, before htmx sees it) until the person
// confirms, then sent again as it was. Focus starts on Cancel, Escape cancels, and focus
// returns to the button that opened it. Without JavaScript the form simply submits.
// Without data-confirm-button/-cancel the buttons keep the words the page rendered
// (translated there), remembered before the first question changes them.

var confirmed = new WeakSet();

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

function askedBy(form, submitter) {
  if (submitter && submitter.hasAttribute("data-confirm")) return submitter;
  if (form.hasAttribute("data-confirm")) return form;
  return form.querySelector("option[data-confirm]:checked");
}

function ask(source, opener) {
  var dialog = document.getElementById("confirm-dialog");
  var question = source.getAttribute("data-confirm");
  var detail = dialog.querySelector("#confirm-dialog-detail");
  var cancel = dialog.querySelector("#confirm-dialog-cancel");
  var accept = dialog.querySelector("#confirm-dialog-accept");
  [accept, cancel].forEach(function (button) {
    if (!button.hasAttribute("data-default-label")) {
      button.setAttribute("data-default-label", button.textContent);
    }
  });
  dialog.querySelector("#confirm-dialog-title").textContent = question;
  detail.textContent = source.getAttribute("data-confirm-detail") || "";
  detail.hidden = !detail.textContent;
  accept.textContent =
    source.getAttribute("data-confirm-button") || accept.getAttribute("data-default-label");
  cancel.textContent =
    source.getAttribute("data-confirm-cancel") || cancel.getAttribute("data-default-label");
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

document.addEventListener(
  "submit",
  function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var submitter = event.submitter;
    var source = askedBy(form, submitter);
    // No dialog in this page (one not built on base.html): as without JavaScript.
    if (!source || !document.getElementById("confirm-dialog")) return;
    if (refusable(form)) return;
    if (confirmed.has(form)) {
      confirmed.delete(form); // this is the confirmed submit: let it through
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    ask(source, submitter || form.querySelector("[type=submit], button:not([type])")).then(function (yes) {
      if (!yes || !form.isConnected) return;
      confirmed.add(form);
      if (submitter && submitter.form === form) form.requestSubmit(submitter);
      else form.requestSubmit();
    });
  },
  true,
);

// A click on the backdrop (outside the dialog's box) cancels, as Escape does.
document.addEventListener("click", function (event) {
  var dialog = document.getElementById("confirm-dialog");
  if (dialog && event.target === dialog) dialog.close("");
});
