// "All events" above a list of checkboxes (the webhook endpoint form's events, eleven of
// them, each to tick by hand): ticking it ticks them all and unticking clears them; it
// shows ticked when every box is, and mixed when some are. It has no name, so it is never
// sent. Without JavaScript its row stays hidden and the boxes work as before.
//   <div hidden data-check-all-row> <input type="checkbox" data-check-all="event_types"> …
function checkAllBoxes(all) {
  var form = all.form;
  if (!form) return [];
  var selector = 'input[type="checkbox"][name="' + all.getAttribute("data-check-all") + '"]';
  return Array.prototype.slice.call(form.querySelectorAll(selector));
}

function checkAllReflect(all) {
  var boxes = checkAllBoxes(all);
  var ticked = boxes.filter(function (box) { return box.checked; }).length;
  all.checked = boxes.length > 0 && ticked === boxes.length;
  all.indeterminate = ticked > 0 && ticked < boxes.length;
}

function checkAllStart(root) {
  root.querySelectorAll("[data-check-all]").forEach(function (all) {
    var row = all.closest("[data-check-all-row]");
    if (row) row.hidden = false;
    checkAllReflect(all);
  });
}

document.addEventListener("DOMContentLoaded", function () { checkAllStart(document); });
// A form htmx swaps in (the endpoint form answered with its errors) starts the same way.
document.addEventListener("htmx:load", function (event) { checkAllStart(event.detail.elt); });

document.addEventListener("change", function (event) {
  var target = event.target;
  if (!(target instanceof HTMLInputElement) || target.type !== "checkbox" || !target.form) return;
  if (target.hasAttribute("data-check-all")) {
    checkAllBoxes(target).forEach(function (box) { box.checked = target.checked; });
    return;
  }
  target.form.querySelectorAll('[data-check-all="' + target.name + '"]').forEach(checkAllReflect);
});
