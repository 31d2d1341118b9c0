// When htmx replaces the part of the page that held the focus (a device signed out, an
// invitation resent or cancelled), the focused button is gone and the focus falls to
// <body>: the next Tab starts again at the top of the page or skips to the footer.
// Before the swap, note the ids around the focused element (inside the part replaced,
// innermost first: the row, then the list); after it, if the focus was lost, put it on
// the first of them still on the page, so Tab carries on from there; when the part itself
// was removed, on its neighbour or what held it. The focus is never moved if the person
// has put it somewhere else meanwhile. A part that comes back with a refused form puts
// it on the first field marked invalid instead.
var focusTrail = null;

function idsAround(element, stop) {
  var ids = [];
  for (var node = element; node && node !== document.body; node = node.parentElement) {
    if (node.id) ids.push(node.id);
    if (node === stop) break;
  }
  return ids;
}

document.addEventListener("htmx:beforeSwap", function (event) {
  var target = event.detail.target;
  if (!target || !target.id) {
    focusTrail = null;
    return;
  }
  var active = document.activeElement;
  var inside = active && active !== document.body && target.contains(active);
  focusTrail = (inside ? idsAround(active, target) : [target.id]).concat(placesNear(target));
});

// Where to go when the swap removed the target itself (a member removed: its row is
// gone): the row that takes its place, else the one before it, else the nearest
// enclosing part of the page with an id.
function placesNear(target) {
  var ids = [];
  var next = target.nextElementSibling, previous = target.previousElementSibling;
  if (next && next.id) ids.push(next.id);
  if (previous && previous.id) ids.push(previous.id);
  return ids.concat(idsAround(target.parentElement, null));
}

document.addEventListener("htmx:afterSettle", function () {
  var trail = focusTrail;
  focusTrail = null;
  if (!trail) return;
  var active = document.activeElement;
  if (active && active !== document.body && active.isConnected) return; // not lost
  for (var i = 0; i < trail.length; i++) {
    var place = document.getElementById(trail[i]);
    if (!place || place.closest("dialog:not([open])")) continue;
    // A form sent back refused, in place: the first field it marks invalid, where the
    // person types the fix (a walk's focus landed on the whole invite card).
    var refused = place.querySelector('[aria-invalid="true"]');
    if (refused && typeof refused.focus === "function") {
      refused.focus();
      return;
    }
    if (!place.hasAttribute("tabindex") && place.tabIndex < 0) place.setAttribute("tabindex", "-1");
    place.focus({ preventScroll: true });
    return;
  }
});
