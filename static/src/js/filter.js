// Type to find in a long list of checkboxes (the invite form's teams past a dozen):
// <input type="search" data-filter="#list-id" hidden> above a list of <label
// data-filter-item>, and an element with data-filter-none in the list's container for
// "nothing matches". The box stays hidden without a script, the list is still all there.
// Case and accents are ignored ("Zurich" finds "Zürich"); a ticked box is never hidden,
// so what the person picked stays in view while they look for the next one.
function fold(text) {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLocaleLowerCase().trim();
}

function apply(input) {
  var list = document.querySelector(input.dataset.filter);
  if (!list) return;
  var query = fold(input.value);
  var matched = 0;
  list.querySelectorAll("[data-filter-item]").forEach(function (item) {
    var box = item.querySelector("input");
    var match = !query || fold(item.textContent).indexOf(query) !== -1;
    item.hidden = !(match || (box && box.checked));
    if (match) matched += 1;
  });
  var none = list.parentElement.querySelector("[data-filter-none]");
  if (none) none.hidden = matched > 0;
}

function reveal(root) {
  root.querySelectorAll("input[data-filter]").forEach(function (input) {
    input.hidden = false;
    apply(input); // a value the browser restored on going back
  });
}

document.addEventListener("input", function (event) {
  if (event.target.matches && event.target.matches("input[data-filter]")) apply(event.target);
});

// Enter in the box would send the whole form; here it only means "find".
document.addEventListener("keydown", function (event) {
  if (event.key === "Enter" && event.target.matches && event.target.matches("input[data-filter]")) {
    event.preventDefault();
  }
});

document.addEventListener("DOMContentLoaded", function () {
  reveal(document);
});

// The invite panel comes back through htmx after each invitation.
document.addEventListener("htmx:load", function (event) {
  reveal(event.detail.elt);
});
