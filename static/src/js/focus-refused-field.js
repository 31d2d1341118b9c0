// A form that comes back refused as a whole page puts the focus on the first field it
// marks invalid (aria-invalid, from Django), which scrolls it into view. Without this
// the focus stayed on <body> with the page at its top: on the account page the
// password form's errors sat a screen and a half below, so nothing seemed to happen;
// and a sign-up refused for its password focused the name field (autofocus).
// A refusal of the whole form (no field to blame: the SAML metadata could not be read)
// is its error box inside the form, focused the same way: on the SSO page it sat
// 1,700 px below the top.
// htmx answers are not page loads: their swaps say what happened in place.
window.addEventListener("load", function () {
  var refused = document.querySelector('main [aria-invalid="true"]');
  if (!refused) {
    // A field the page focuses itself (autofocus) says where typing goes on: sign-in's
    // password after "That email and password don't match".
    if (document.querySelector("main [autofocus]")) return;
    refused = document.querySelector('main form [role="alert"]');
  }
  if (!refused || typeof refused.focus !== "function") return;
  if (!refused.matches("input, select, textarea, button, a[href], [tabindex]")) {
    refused.setAttribute("tabindex", "-1");
  }
  refused.focus();
});
