// Copy buttons: <button data-copy-target="#id" data-copied-label="Copied" hidden>. They
// stay hidden without JavaScript (the text can still be selected and copied by hand).
// The target's lines (<li>), a field's value, or its text.
// Without data-copied-label: <body data-i18n-copied> (templates/base.html, translated).
document.querySelectorAll("button[data-copy-target]").forEach(function (button) {
  if (!navigator.clipboard) return;
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
    navigator.clipboard.writeText(text).then(function () {
      button.textContent = button.dataset.copiedLabel || document.body.dataset.i18nCopied || "Copied";
      setTimeout(function () { button.textContent = original; }, 2000);
    });
  });
});
