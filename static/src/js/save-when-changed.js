// A select whose change is a decision (a member's role) is not saved as it changes: an
// arrow key on a focused select, or a slip of the mouse, would make someone an owner.
// Its form's Save button ([data-save-when-changed], hidden while the choice is the one
// saved) shows once the choice differs, and hides again when it is put back. Without
// JavaScript the button is always there (.js-hidden only hides it under "js").
document.addEventListener("change", function (event) {
  var select = event.target;
  if (!(select instanceof HTMLSelectElement) || !select.form) return;
  var save = select.form.querySelector("[data-save-when-changed]");
  if (!save) return;
  var chosen = select.options[select.selectedIndex];
  save.classList.toggle("js-hidden", !chosen || chosen.defaultSelected);
});
