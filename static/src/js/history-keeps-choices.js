// htmx keeps each page it leaves as HTML, to put back on Back. HTML holds a menu's choice
// only as the `selected` attribute written by the server, not what was chosen since:
// choose "File uploaded" in the audit log's filter, page to Older, press Back, and the
// filtered rows came back under "All actions". Before htmx keeps the page, write each
// menu's current choice into its attributes.
document.addEventListener("htmx:beforeHistorySave", function () {
  document.querySelectorAll("select").forEach(function (select) {
    Array.prototype.forEach.call(select.options, function (option) {
      option.toggleAttribute("selected", option.selected);
    });
  });
});

// The page is kept when the next filter is already chosen: pick "From", then "To", press
// Back, and the kept page showed the rows of "From" alone under both days. A filter
// form (one that sends GET: the audit log's) shows what its address applies, so after a
// restore each of its fields is set from the address: a field the address does not name
// is empty (a menu: its first choice, as one the page does not know).
document.addEventListener("htmx:historyRestore", function () {
  var query = new URLSearchParams(window.location.search);
  document.querySelectorAll('form[method="get"]').forEach(function (form) {
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.type === "submit" || field.type === "button") return;
      var value = query.get(field.name) || "";
      if (field.type === "checkbox" || field.type === "radio") {
        field.checked = query.getAll(field.name).indexOf(field.value) >= 0;
        return;
      }
      field.value = value;
      if (field.tagName === "SELECT" && field.selectedIndex < 0) field.selectedIndex = 0;
    });
  });
});
