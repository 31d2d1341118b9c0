// Re-authentication inside htmx (accounts/views_reauth.py). A sensitive action asked by
// htmx without a recent sign-in comes back as a <dialog data-reauth> appended to the
// page, announced by a "pacetrack:reauth-required" event on the element that asked.
// Once the dialog's form is accepted, "pacetrack:reauthenticated" fires and that
// element's request is issued again exactly as it was (its confirmation already given).
var reissue = new WeakMap();
var pending = null;

document.addEventListener("htmx:confirm", function (event) {
  reissue.set(event.target, event.detail.issueRequest);
});

document.addEventListener("pacetrack:reauth-required", function (event) {
  pending = event.target;
});

function openDialogs(root) {
  var dialogs = root.matches && root.matches("dialog[data-reauth]") ? [root] : [];
  if (root.querySelectorAll) dialogs = dialogs.concat(Array.from(root.querySelectorAll("dialog[data-reauth]")));
  dialogs.forEach(function (dialog) {
    if (dialog.open) return;
    dialog.addEventListener("close", function () {
      dialog.remove();
    });
    dialog.showModal();
  });
}

document.addEventListener("htmx:load", function (event) {
  openDialogs(event.detail.elt);
});

document.addEventListener("click", function (event) {
  var cancel = event.target.closest && event.target.closest("[data-reauth-cancel]");
  if (!cancel) return;
  pending = null;
  cancel.closest("dialog").close();
});

document.addEventListener("pacetrack:reauthenticated", function () {
  var element = pending;
  pending = null;
  // After htmx has finished with the dialog's own request.
  setTimeout(function () {
    document.querySelectorAll("dialog[data-reauth]").forEach(function (dialog) {
      dialog.close();
    });
    var issue = element && reissue.get(element);
    if (issue && element.isConnected) issue(true);
  }, 0);
});
