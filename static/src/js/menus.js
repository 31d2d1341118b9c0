// Menus are <details data-menu>: they open and close with no script at all. With it they
// also behave like the menus people know: Escape or a click outside closes them and gives
// focus back to their <summary>, tabbing out closes them, and one opening closes the others.
function openMenus() {
  return Array.prototype.slice.call(document.querySelectorAll("details[data-menu][open]"));
}

function close(menu, refocus) {
  menu.removeAttribute("open");
  var summary = menu.querySelector("summary");
  if (refocus && summary) summary.focus();
}

// Focus goes back to the summary unless the person has already put it somewhere else: a
// click on plain text leaves it on the body, or on <main tabindex="-1"> (the skip link's
// target), neither of which is a place to continue from.
function focusIsLost(menu) {
  var active = document.activeElement;
  return !active || active === document.body || active.tabIndex < 0 || menu.contains(active);
}

document.addEventListener("keydown", function (event) {
  if (event.key !== "Escape") return;
  openMenus().forEach(function (menu) {
    close(menu, focusIsLost(menu));
  });
});

document.addEventListener("click", function (event) {
  openMenus().forEach(function (menu) {
    if (!menu.contains(event.target)) close(menu, focusIsLost(menu));
  });
});

// Tabbing (or clicking) to another control closes the menu; focus stays where it went. A
// click on the page around it is the click handler's business.
document.addEventListener("focusout", function (event) {
  var menu = event.target instanceof Element && event.target.closest("details[data-menu][open]");
  var next = event.relatedTarget;
  if (menu && next instanceof HTMLElement && next.tabIndex >= 0 && !menu.contains(next)) {
    close(menu, false);
  }
});

// "toggle" does not bubble: listen in the capture phase.
document.addEventListener(
  "toggle",
  function (event) {
    var opened = event.target;
    if (!(opened instanceof HTMLDetailsElement) || !opened.open || !opened.hasAttribute("data-menu")) return;
    openMenus().forEach(function (menu) {
      if (menu !== opened && !menu.contains(opened)) close(menu, false);
    });
  },
  true
);
