// A form that comes back refused as a whole page puts the focus on the first field it
// marks invalid (aria-invalid, from Django), which scrolls it into view. Without this
// the focus stayed on <body> with the page at its top: on the account page the
// password form's errors sat a screen and a half below, so nothing seemed to happen;
// and a sign-up refused for its password focused the name field (autofocus).
// htmx answers are not page loads: their swaps say what happened in place.
window.addEventListener("load", function () {
  var refused = document.querySelector('main [aria-invalid="true"]');
  if (refused && typeof refused.focus === "function") refused.focus();
});
