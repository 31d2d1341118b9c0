// Pacetrack's own script (the only one besides htmx). The Content-Security-Policy
// allows no inline script or event-handler attributes, so behaviour lives here.
(function () {
  "use strict";

  // htmx requests carry the CSRF token from <meta name="csrf-token"> in base.html.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && event.detail.verb !== "get") {
      event.detail.headers["X-CSRFToken"] = meta.content;
    }
  });

  // Plain (non-htmx) forms ask before destructive actions: <form data-confirm="…">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
})();
