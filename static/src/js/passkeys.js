// Passkeys (WebAuthn). A form marked data-passkey="create" or "get" runs the browser's
// ceremony when submitted: it asks the server for options (POST data-options-url, with
// data-purpose), calls navigator.credentials, puts the answer's JSON into its hidden
// "credential" field and submits again. The server verifies everything.
// Elements with data-passkey-support stay hidden unless this browser has WebAuthn;
// without it, a [data-passkey-unavailable] box says why (an old browser, or a page not
// served over HTTPS, where browsers turn WebAuthn off). Both also in content htmx
// brings later (the re-authentication dialog).
// An input with autocomplete="… webauthn" gets the browser's passkey autofill
// (conditional mediation), which submits form[data-passkey-autofill].
// What it tells people comes translated from the data- attributes of the box that shows
// it (templates/mfa/_passkey_message.html); the English here is the fallback.
function within(root, selector) {
  if (!root.querySelectorAll) return [];
  var found = Array.from(root.querySelectorAll(selector));
  return root.matches && root.matches(selector) ? [root].concat(found) : found;
}

function said(box, name, english) {
  return (box && box.dataset[name]) || english;
}

function unavailable(box) {
  return window.isSecureContext
    ? said(box, "unsupported", "This browser can't use passkeys.")
    : said(box, "insecure", "Passkeys need a secure connection. Open the site at its https:// address and try again.");
}

function revealPasskeys(root) {
  if (window.PublicKeyCredential) {
    within(root, "[data-passkey-support]").forEach(function (el) {
      el.hidden = false;
    });
    return;
  }
  within(root, "[data-passkey-unavailable]").forEach(function (box) {
    box.textContent = unavailable(box);
    box.hidden = false;
  });
}

revealPasskeys(document);
document.addEventListener("htmx:load", function (event) {
  revealPasskeys(event.detail.elt);
});

function toBuffer(value) {
  var base64 = value.replace(/-/g, "+").replace(/_/g, "/");
  var binary = atob(base64 + "===".slice((base64.length + 3) % 4));
  var bytes = new Uint8Array(binary.length);
  for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

function toBase64url(buffer) {
  var bytes = new Uint8Array(buffer);
  var binary = "";
  for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function descriptors(list) {
  return (list || []).map(function (item) {
    return Object.assign({}, item, { id: toBuffer(item.id) });
  });
}

function publicKeyOptions(kind, options) {
  var publicKey = Object.assign({}, options, { challenge: toBuffer(options.challenge) });
  if (kind === "create") {
    publicKey.user = Object.assign({}, options.user, { id: toBuffer(options.user.id) });
    publicKey.excludeCredentials = descriptors(options.excludeCredentials);
  } else {
    publicKey.allowCredentials = descriptors(options.allowCredentials);
  }
  return publicKey;
}

function credentialJSON(credential) {
  var response = credential.response;
  var json = {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment || undefined,
    clientExtensionResults: credential.getClientExtensionResults(),
    response: { clientDataJSON: toBase64url(response.clientDataJSON) },
  };
  if (response.attestationObject) {
    json.response.attestationObject = toBase64url(response.attestationObject);
    json.response.transports = response.getTransports ? response.getTransports() : [];
  } else {
    json.response.authenticatorData = toBase64url(response.authenticatorData);
    json.response.signature = toBase64url(response.signature);
    if (response.userHandle) json.response.userHandle = toBase64url(response.userHandle);
  }
  return JSON.stringify(json);
}

function fetchOptions(form) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  var body = new FormData();
  if (form.dataset.purpose) body.append("purpose", form.dataset.purpose);
  return fetch(form.dataset.optionsUrl, {
    method: "POST",
    body: body,
    credentials: "same-origin",
    headers: { "X-CSRFToken": meta ? meta.content : "" },
  }).then(function (response) {
    var type = response.headers.get("Content-Type") || "";
    if (!response.ok || type.indexOf("application/json") !== 0) {
      // A re-authentication or an expired sign-in: the page itself knows what to do.
      window.location.reload();
      throw new Error("reloading");
    }
    return response.json();
  });
}

function credentialField(form) {
  return form.querySelector('input[name="credential"], input[name$="-credential"]');
}

function words(form, name, english) {
  return said(form.querySelector("[data-passkey-error]"), name, english);
}

function showError(form, message) {
  var box = form.querySelector("[data-passkey-error]");
  if (box) {
    box.textContent = message;
    box.hidden = false;
  }
}

var autofill = null; // the AbortController of a pending passkey autofill request

function ceremony(form) {
  var kind = form.dataset.passkey;
  if (autofill) autofill.abort();
  return fetchOptions(form).then(function (options) {
    var publicKey = publicKeyOptions(kind, options);
    return kind === "create"
      ? navigator.credentials.create({ publicKey: publicKey })
      : navigator.credentials.get({ publicKey: publicKey });
  });
}

function submitWith(form, credential) {
  credentialField(form).value = credentialJSON(credential);
  // A box shown once for both ways in (the second step's "Don't ask again").
  form.querySelectorAll("input[data-copies]").forEach(function (copy) {
    var box = document.getElementById(copy.dataset.copies);
    copy.value = box && box.checked ? "on" : "";
  });
  form.requestSubmit();
}

document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.passkey) return;
  var field = credentialField(form);
  if (!field || field.value) return; // the answer is in: let the form (or htmx) send it
  event.preventDefault();
  event.stopImmediatePropagation();
  if (!window.PublicKeyCredential) {
    showError(form, unavailable(form.querySelector("[data-passkey-error]")));
    return;
  }
  ceremony(form)
    .then(function (credential) {
      if (credential) submitWith(form, credential);
    })
    .catch(function (error) {
      if (error && error.message === "reloading") return;
      var name = error && error.name;
      showError(
        form,
        name === "InvalidStateError"
          ? words(form, "exists", "This device already has a passkey for your account.")
          : name === "SecurityError" // the browser refuses this origin for the relying party
            ? words(form, "address", "Passkeys do not work at this address.")
            : words(form, "failed", "No passkey was used. Try again, or choose another way.")
      );
    });
}, true);

// Passkey autofill on the sign-in page's email field.
var autofillInput = document.querySelector('input[autocomplete~="webauthn"]');
var autofillForm = document.querySelector("form[data-passkey-autofill]");
if (
  autofillInput &&
  autofillForm &&
  window.PublicKeyCredential &&
  PublicKeyCredential.isConditionalMediationAvailable
) {
  PublicKeyCredential.isConditionalMediationAvailable().then(function (available) {
    if (!available) return;
    autofill = new AbortController();
    var signal = autofill.signal;
    fetchOptions(autofillForm)
      .then(function (options) {
        return navigator.credentials.get({
          publicKey: publicKeyOptions("get", options),
          mediation: "conditional",
          signal: signal,
        });
      })
      .then(function (credential) {
        if (credential) submitWith(autofillForm, credential);
      })
      .catch(function () {
        // Aborted for the button, or dismissed: the password form stays as it was.
      });
  });
}
