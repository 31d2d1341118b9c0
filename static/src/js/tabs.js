// Tabs scroll sideways on a phone: bring the current one into view, so the page says where
// the person is without a swipe; and say there are more tabs past an edge (a fade there,
// drawn by app.css from data-more-left / data-more-right, and an arrow over it): a walk
// read "file & password" as the first tab at 360 px with nothing saying the strip scrolls.
var FADE = 40; // app.css: the fades are 2.5rem

function markEdges(strip) {
  var hidden = strip.scrollWidth - strip.clientWidth;
  var rtl = getComputedStyle(strip).direction === "rtl";
  // Chromium counts an RTL strip's scrollLeft from 0 at its right edge down to -hidden.
  var fromLeft = rtl ? hidden + strip.scrollLeft : strip.scrollLeft;
  var more = { left: hidden > 1 && fromLeft > 1, right: hidden > 1 && fromLeft < hidden - 1 };
  ["left", "right"].forEach(function (side) {
    strip.toggleAttribute("data-more-" + side, more[side]);
    var arrow = strip.parentElement.querySelector(':scope > .tabs-arrow[data-side="' + side + '"]');
    if (arrow) arrow.hidden = !more[side];
  });
}

// An arrow over each fade (a walk took the fade alone for the strip's end): a tap
// scrolls a screenful that way. Out of the tab order and hidden from screen readers:
// the tabs themselves are links each, reached in turn.
var CHEVRON = {
  left: '<svg class="h-5 w-5" viewBox="0 0 20 20" fill="currentColor" aria-hidden="true"><path fill-rule="evenodd" d="M12.8 4.2a.75.75 0 0 1 0 1.06L8.06 10l4.74 4.74a.75.75 0 1 1-1.06 1.06l-5.27-5.27a.75.75 0 0 1 0-1.06l5.27-5.27a.75.75 0 0 1 1.06 0Z" clip-rule="evenodd"/></svg>',
  right: '<svg class="h-5 w-5" viewBox="0 0 20 20" fill="currentColor" aria-hidden="true"><path fill-rule="evenodd" d="M7.2 15.8a.75.75 0 0 1 0-1.06L11.94 10 7.2 5.26a.75.75 0 0 1 1.06-1.06l5.27 5.27a.75.75 0 0 1 0 1.06l-5.27 5.27a.75.75 0 0 1-1.06 0Z" clip-rule="evenodd"/></svg>',
};
function addArrows(strip) {
  if (!strip.parentElement.classList.contains("tabs-frame")) return;
  ["left", "right"].forEach(function (side) {
    var arrow = document.createElement("button");
    arrow.type = "button";
    arrow.className = "tabs-arrow";
    arrow.dataset.side = side;
    arrow.tabIndex = -1;
    arrow.setAttribute("aria-hidden", "true");
    arrow.hidden = true;
    arrow.innerHTML = CHEVRON[side];
    arrow.addEventListener("click", function () {
      var step = Math.max(strip.clientWidth - 2 * FADE, FADE);
      strip.scrollBy({ left: side === "left" ? -step : step, behavior: "smooth" });
    });
    strip.parentElement.appendChild(arrow);
  });
}

// A tab reached with the keyboard comes wholly into view, clear of the fade: the browser
// scrolled only until a sliver showed (a walk found "Files" focused with 3 of its 54 px
// visible, its focus ring cut). scrollBy's left is physical, so RTL strips work alike.
function revealPastFade(strip, tab) {
  var s = strip.getBoundingClientRect();
  var t = tab.getBoundingClientRect();
  if (t.left < s.left + FADE) strip.scrollBy({ left: t.left - s.left - FADE });
  else if (t.right > s.right - FADE) strip.scrollBy({ left: t.right - s.right + FADE });
}

document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll('.tabs [aria-current="page"]').forEach(function (tab) {
    var strip = tab.parentElement;
    if (strip.scrollWidth <= strip.clientWidth) return;
    var left = tab.getBoundingClientRect().left - strip.getBoundingClientRect().left + strip.scrollLeft;
    strip.scrollLeft = left - (strip.clientWidth - tab.offsetWidth) / 2;
  });
  document.querySelectorAll(".tabs").forEach(function (strip) {
    addArrows(strip);
    markEdges(strip);
    strip.addEventListener("scroll", function () { markEdges(strip); }, { passive: true });
    strip.addEventListener("focusin", function (event) { revealPastFade(strip, event.target); });
  });
});

window.addEventListener("resize", function () {
  document.querySelectorAll(".tabs").forEach(markEdges);
});
