// <html class="no-js"> becomes "js" once htmx runs, so controls only needed without
// JavaScript hide themselves (.js-hidden in app.css: the "Save" beside a role select,
// which save-when-changed.js shows once the choice changes). If htmx failed to load
// they stay, and still work.
if (window.htmx) {
  document.documentElement.classList.remove("no-js");
  document.documentElement.classList.add("js");
}
