// A file larger than the server accepts is refused here, before a byte of it is sent:
// otherwise the browser uploads all of it only to be told 413 (or the form's refusal),
// and the other fields typed in the form are gone with the page. A file input says its
// limit (core/file_limits.py, from the setting the server enforces):
//   data-max-bytes="26214400"       the limit in bytes
//   data-too-large="“{name}”: …"    the refusal, translated on the server ({size} in MB)
//   data-decimal-separator=","      how the page writes 30,1
// A file input may also say the room the plan's storage limit leaves (core/file_limits.py,
// from what the server counts against it, billing.plans.plan_storage_room):
//   data-room-bytes="4194304"       the room in bytes; absent where there is no limit
//   data-no-room="“{name}”: …"      the server's refusal ({size} in MB)
//   data-upgrade-url, data-upgrade-label   the link after it, for whom may buy more
// A file over either is taken out of the input (the form cannot send it), the input marked
// aria-invalid and the refusal shown under it as the server shows a field's errors
// (templates/elements/field_errors.html: the <id>_error that aria-describedby names).
// Checked in the capture phase, before an input that posts itself on change (the
// avatar's preview, hx-trigger="change") hears of it. A file that fits takes the refusal
// away. Listening on the document covers inputs htmx swaps in. Without JavaScript the
// server refuses instead. Sending the form with the refused file's input still empty
// is stopped (the server would answer "Choose a file", and the reason would be gone):
// the refusal stays, said again, and the input gets the focus.

var MB = 1024 * 1024;

// As the server writes sizes (size_in_megabytes): rounded up to a tenth.
function megabytes(bytes, separator) {
  var tenths = Math.ceil((bytes * 10) / MB);
  var whole = Math.floor(tenths / 10);
  return tenths % 10 ? whole + separator + (tenths % 10) : String(whole);
}

function describedBy(input, id, present) {
  var ids = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (each) {
    return each && each !== id;
  });
  if (present) ids.push(id);
  if (ids.length) input.setAttribute("aria-describedby", ids.join(" "));
  else input.removeAttribute("aria-describedby");
}

function refuse(input, file, words) {
  var id = input.id + "_error";
  var error = input.id && document.getElementById(id);
  if (!error) {
    error = document.createElement("div");
    error.className = "field-error";
    if (input.id) error.id = id;
    var help = input.id && document.getElementById(input.id + "_helptext");
    (help && help.parentNode === input.parentNode ? help : input).after(error);
  }
  var values = {
    name: file.name,
    size: megabytes(file.size, input.getAttribute("data-decimal-separator") || "."),
  };
  var line = document.createElement("p");
  line.textContent = input.getAttribute(words).replace(/\{(name|size)\}/g, function (_, key) {
    return values[key];
  });
  var upgrade = words === "data-no-room" && input.getAttribute("data-upgrade-url");
  if (upgrade) {
    // As the server links it (templates/elements/field_errors.html, error_link).
    var link = document.createElement("a");
    link.className = "font-semibold underline";
    link.href = upgrade;
    link.textContent = input.getAttribute("data-upgrade-label");
    line.append(" ", link);
  }
  error.replaceChildren(line);
  // Nothing else on the page changes: said aloud as it appears.
  error.setAttribute("role", "alert");
  error.setAttribute("data-file-size-error", "");
  input.setAttribute("aria-invalid", "true");
  if (input.id) describedBy(input, id, true);
}

function accept(input) {
  var error = input.id && document.getElementById(input.id + "_error");
  if (!error || !error.hasAttribute("data-file-size-error")) return;
  error.remove();
  input.removeAttribute("aria-invalid");
  describedBy(input, error.id, false);
}

document.addEventListener(
  "change",
  function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file") return;
    var limit = Number(input.getAttribute("data-max-bytes"));
    var hasRoom = input.hasAttribute("data-room-bytes");
    if (!limit && !hasRoom) return;
    var files = input.files || [];
    var tooLarge =
      limit &&
      Array.prototype.find.call(files, function (file) {
        return file.size > limit;
      });
    // The files chosen together take the room together: the one that would pass it.
    var room = hasRoom ? Number(input.getAttribute("data-room-bytes")) : Infinity;
    var taken = 0;
    var noRoom =
      !tooLarge &&
      Array.prototype.find.call(files, function (file) {
        taken += file.size;
        return taken > room;
      });
    if (!tooLarge && !noRoom) {
      accept(input);
      return;
    }
    input.value = "";
    refuse(input, tooLarge || noRoom, tooLarge ? "data-too-large" : "data-no-room");
    // A preview drawn of a file chosen before (the avatar's, its hx-target) would show
    // an image the emptied input will not send.
    var preview = input.getAttribute("hx-target");
    var shown = preview && document.querySelector(preview);
    if (shown) shown.replaceChildren();
    event.stopImmediatePropagation();
  },
  true,
);

document.addEventListener(
  "submit",
  function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var refused = Array.prototype.find.call(form.querySelectorAll('input[type="file"]'), function (input) {
      var error = input.id && document.getElementById(input.id + "_error");
      return !(input.files && input.files.length) && error && error.hasAttribute("data-file-size-error");
    });
    if (!refused) return;
    event.preventDefault();
    event.stopImmediatePropagation(); // htmx, listening on the form, never hears of it
    var error = document.getElementById(refused.id + "_error");
    if (error.firstChild) error.replaceChildren(error.firstChild.cloneNode(true)); // said again
    refused.focus();
  },
  true,
);
