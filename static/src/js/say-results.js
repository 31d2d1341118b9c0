// Results htmx swaps in while the focus stays where it was (the audit log's filters: the
// table changes under a menu the person is still on) are said by a polite status that
// is in the page from its load: <p role="status" data-says="audit-events">. A status
// inserted already filled, with the results, was often not read out, and nothing said
// that the table had changed at all. Each time a new #audit-events comes in, its
// data-said ("12 events", "No events match the chosen filters.") is put in the status;
// emptied first, so the same words as last time are read again too.
var SAY_AFTER_MS = 100;
var known = new WeakSet();

function eachPart(callback) {
  document.querySelectorAll("[data-says]").forEach(function (region) {
    var part = document.getElementById(region.getAttribute("data-says"));
    if (part) callback(region, part);
  });
}

function knowThemAll() {
  eachPart(function (region, part) {
    known.add(part);
  });
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", knowThemAll);
else knowThemAll();
// Back to an earlier page of results: the page as it was, not a new answer to say.
document.addEventListener("htmx:historyRestore", knowThemAll);

document.addEventListener("htmx:afterSettle", function () {
  eachPart(function (region, part) {
    if (known.has(part)) return;
    known.add(part);
    var words = part.getAttribute("data-said") || "";
    region.textContent = "";
    setTimeout(function () {
      if (part.isConnected) region.textContent = words;
    }, SAY_AFTER_MS);
  });
});
