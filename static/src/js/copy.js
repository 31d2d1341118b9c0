// Copy buttons: <button data-copy-target="#id" data-copied-label="Copied" hidden>. They
// stay hidden without JavaScript (the text can still be selected and copied by hand).
// The target's lines (<li>), a field's value, or its text.
// Without data-copied-label: <body data-i18n-copied> (templates/base.html, translated).
// "Copied" is also said in a status region: a button named by aria-label ("Copy the
// record name") never had it read out. A refused copy showed nothing at all: now an
// error toast says to copy by hand.
var copyStatus = null;

function announce(message) {
  if (!copyStatus) return;
  copyStatus.textContent = "";
  setTimeout(function () { copyStatus.textContent = message; }, 50);
}

document.querySelectorAll("button[data-copy-target]").forEach(function (button) {
  if (!navigator.clipboard) return;
  if (!copyStatus) {
    copyStatus = document.createElement("p");
    copyStatus.className = "sr-only";
    copyStatus.setAttribute("role", "status");
    copyStatus.dataset.testid = "copy-status";
    document.body.appendChild(copyStatus);
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    var target = document.querySelector(button.dataset.copyTarget);
    if (!target) return;
    var lines = Array.prototype.map.call(target.querySelectorAll("li"), function (li) {
      return li.textContent.trim();
    });
    var original = button.textContent;
    var field = target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement;
    var text = lines.length ? lines.join("\n") : field ? target.value : target.textContent.trim();
    navigator.clipboard.writeText(text).then(
      function () {
        var copied = button.dataset.copiedLabel || document.body.dataset.i18nCopied || "Copied";
        button.textContent = copied;
        announce(copied);
        setTimeout(function () { button.textContent = original; }, 2000);
      },
      function () {
        var failed = document.body.dataset.i18nCopyFailed ||
          "Could not copy. Select the text and copy it yourself.";
        button.textContent = original;
        // An error toast (toast.js), announced as an alert and left until dismissed.
        document.dispatchEvent(
          new CustomEvent("toast", { detail: { items: [{ level: "error", message: failed }] } })
        );
      }
    );
  });
});
