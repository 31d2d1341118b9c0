// Tabs scroll sideways on a phone: bring the current one into view, so the page says where
// the person is without a swipe; and say there are more tabs past an edge (a fade there,
// drawn by app.css from data-more-left / data-more-right): a walk read "file & password"
// as the first tab at 360 px with nothing saying the strip scrolls.
function markEdges(strip) {
  var hidden = strip.scrollWidth - strip.clientWidth;
  var rtl = getComputedStyle(strip).direction === "rtl";
  // Chromium counts an RTL strip's scrollLeft from 0 at its right edge down to -hidden.
  var fromLeft = rtl ? hidden + strip.scrollLeft : strip.scrollLeft;
  strip.toggleAttribute("data-more-left", hidden > 1 && fromLeft > 1);
  strip.toggleAttribute("data-more-right", hidden > 1 && fromLeft < hidden - 1);
}

// A tab reached with the keyboard comes wholly into view, clear of the fade: the browser
// scrolled only until a sliver showed (a walk found "Files" focused with 3 of its 54 px
// visible, its focus ring cut). scrollBy's left is physical, so RTL strips work alike.
var FADE = 40; // app.css: the fades are 2.5rem
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
    markEdges(strip);
    strip.addEventListener("scroll", function () { markEdges(strip); }, { passive: true });
    strip.addEventListener("focusin", function (event) { revealPastFade(strip, event.target); });
  });
});

window.addEventListener("resize", function () {
  document.querySelectorAll(".tabs").forEach(markEdges);
});
