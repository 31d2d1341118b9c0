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
