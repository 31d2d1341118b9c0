// Tabs scroll sideways on a phone: bring the current one into view, so the page says where
// the person is without a swipe.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll('.tabs [aria-current="page"]').forEach(function (tab) {
    var strip = tab.parentElement;
    if (strip.scrollWidth <= strip.clientWidth) return;
    var left = tab.getBoundingClientRect().left - strip.getBoundingClientRect().left + strip.scrollLeft;
    strip.scrollLeft = left - (strip.clientWidth - tab.offsetWidth) / 2;
  });
});
