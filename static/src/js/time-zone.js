// Sign-up guesses the person's time zone from the browser: inputs marked
// data-browser-time-zone get the IANA name ("Europe/Berlin"). The server checks it
// and falls back to UTC; the account page changes it later.
let zone = "";
try {
  zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
} catch (error) {
  zone = "";
}
for (const input of document.querySelectorAll("input[data-browser-time-zone]")) {
  if (!input.value && zone) input.value = zone;
}
