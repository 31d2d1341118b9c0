// When htmx replaces the part of the page that held the focus (a device signed out, an
// invitation resent or cancelled), the focused button is gone and the focus falls to
// <body>: the next Tab starts again at the top of the page or skips to the footer.
// Before the swap, note the ids around the focused element (inside the part replaced,
// innermost first: the row, the rows beside it, then the list); after it, if the focus
// was lost, put it on the first of them still on the page, so Tab carries on from there.
// The focus is never moved if the person has put it somewhere else meanwhile.
// - A row (or a row beside the one removed) gets its first control, not the row itself:
//   "Sign out" of the next device, not the whole row read out.
// - The part itself (a list, a card) gets the element its data-swap-focus names (the
//   list's heading, the invite form's address), else itself. A walk found the focus on a whole
//   789 px card, its top off a phone's screen, the next Tab back at the card's start.
// - A part that comes back with a refused form puts it on the first field marked invalid.
var focusTrail = null;

var CONTROLS =
  'a[href], button:not([disabled]), input:not([type="hidden"]):not([disabled]), ' +
  'select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';

function elementsAround(element, stop) {
  var found = [];
  for (var node = element; node && node !== document.body; node = node.parentElement) {
    if (node.id) found.push(node);
    if (node === stop) break;
  }
  return found;
}

// The rows beside one: the one after it (which takes its place when it is removed),
// then the one before it (when it was the last).
function neighbours(element) {
  var ids = [];
  var next = element.nextElementSibling, previous = element.previousElementSibling;
  if (next && next.id) ids.push(next.id);
  if (previous && previous.id) ids.push(previous.id);
  return ids;
}

// The button pressed is disabled while its request is out (busy.js), which takes the
// focus from it: by the swap the focus is on <body>, and its row was not known.
var lastFocused = null;
document.addEventListener("focusin", function (event) {
  lastFocused = event.target;
});

function focusedBeforeRequest() {
  var active = document.activeElement;
  if (active && active !== document.body) return active;
  return lastFocused && lastFocused.isConnected && lastFocused.disabled ? lastFocused : null;
}

document.addEventListener("htmx:beforeSwap", function (event) {
  var target = event.detail.target;
  if (!target || !target.id) {
    focusTrail = null;
    return;
  }
  var active = focusedBeforeRequest();
  var inside = active && target.contains(active);
  var trail = [];
  (inside ? elementsAround(active, target) : [target]).forEach(function (element) {
    // What the target holds is a row; the target itself is the part (when the swap
    // removes it, as a member removed, the rows beside it are rows again).
    trail.push({ id: element.id, part: element === target });
    neighbours(element).forEach(function (id) {
      trail.push({ id: id, part: false });
    });
  });
  elementsAround(target.parentElement, null).forEach(function (element) {
    trail.push({ id: element.id, part: true });
  });
  focusTrail = trail;
});

function shown(element) {
  return element.getClientRects().length > 0 && !element.closest("[hidden], dialog:not([open])");
}

function firstControl(row) {
  if (row.matches(CONTROLS) && shown(row)) return row;
  var controls = row.querySelectorAll(CONTROLS);
  for (var i = 0; i < controls.length; i++) if (shown(controls[i])) return controls[i];
  return null;
}

// <section id="session-list" data-swap-focus="session-list-title">: the id of what to
// focus in the part, inside it.
function markedIn(part) {
  var marked = document.getElementById(part.getAttribute("data-swap-focus") || "");
  return marked && part.contains(marked) ? marked : null;
}

function focusOn(element, preventScroll) {
  if (!element.matches(CONTROLS) && !element.hasAttribute("tabindex")) element.setAttribute("tabindex", "-1");
  element.focus({ preventScroll: preventScroll });
}

document.addEventListener("htmx:afterSettle", function () {
  var trail = focusTrail;
  focusTrail = null;
  if (!trail) return;
  var active = document.activeElement;
  if (active && active !== document.body && active.isConnected) return; // not lost
  for (var i = 0; i < trail.length; i++) {
    var place = document.getElementById(trail[i].id);
    if (!place || place.closest("dialog:not([open])")) continue;
    // A form sent back refused, in place: the first field it marks invalid, where the
    // person types the fix (a walk's focus landed on the whole invite card).
    var refused = place.querySelector('[aria-invalid="true"]');
    if (refused && typeof refused.focus === "function") {
      refused.focus();
      return;
    }
    var chosen = trail[i].part ? markedIn(place) : firstControl(place);
    if (chosen && shown(chosen)) {
      focusOn(chosen, false);
      return;
    }
    // A huge part would scroll to its top; Tab carries on from it all the same.
    focusOn(place, trail[i].part);
    return;
  }
});
