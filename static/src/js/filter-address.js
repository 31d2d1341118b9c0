// A filter form (one that sends GET: the audit log's) leaves its empty fields out of the
// request, so the address names only the filters in force: "?action=file.uploaded", not
// "?actor=&action=file.uploaded&since=&until=" (what a person copies and shares, and what
// Back restores the form from). The server reads a missing field as an empty one.
function isFilterForm(form) {
  return form && form.tagName === "FORM" && form.method === "get";
}

document.addEventListener("htmx:configRequest", function (event) {
  var form = event.detail.elt.closest && event.detail.elt.closest("form");
  if (event.detail.verb !== "get" || !isFilterForm(form)) return;
  Array.prototype.forEach.call(form.elements, function (field) {
    if (field.name && event.detail.parameters[field.name] === "") {
      delete event.detail.parameters[field.name];
    }
  });
});
