"""Forms whose answer must not be repeated by a reload or by Back: the ones that make a
secret shown once on their answer (an API key, a webhook endpoint or its new signing
secret, the SCIM token, recovery codes), and the ones that make something a second
copy of which nobody wants (an organisation).

Reloading that answer, or going Back to it, sends the POST again: another key, or a
replaced token that silently stops the one just pasted into the identity provider, or a
second organisation of the same name.
The form carries a random `once` field (`{% once_field %}`, core/templatetags/once.py);
the view runs for its first POST only (a refused one does not count: nothing was
made). A repeat goes back to the page with a warning.
A form without the field (an old page, a script) runs as before; while the cache is
down every POST runs (a duplicate is better than refusing the first).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy

from core.same_site import same_site_path

View = Callable[..., HttpResponse]
FIELD = "once"
LIFETIME = 24 * 3600  # longer than any page stays open
SECRET_SENT = gettext_lazy(
    "That form was sent already, so nothing new was made. A secret is shown only once: "
    "if you did not copy it, make a new one."
)


def once_field() -> SafeString:
    return format_html(
        '<input type="hidden" name="{}" value="{}">', FIELD, secrets.token_urlsafe(16)
    )


def sent_once(back_to: Callable[..., str], *, said: Any = SECRET_SENT) -> Callable[[View], View]:
    """Run the view for a form's first POST only; a repeat is told `said` and
    redirected where the first answer redirected (the organisation it made), else to
    `back_to(request, *args, **kwargs)` (the page the form is on). Put it below
    `reauth_required`, so a form held for the password is not spent yet."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            token = request.POST.get(FIELD, "")[:64]
            if not token:
                return view(request, *args, **kwargs)
            key = f"sent-once:{request.user.pk}:{token}"
            if cache.add(key, 1, LIFETIME) is False:
                messages.warning(request, str(said))
                first = cache.get(key)
                here = same_site_path(request, first) if isinstance(first, str) else ""
                return redirect(here or back_to(request, *args, **kwargs))
            response = view(request, *args, **kwargs)
            if response.status_code >= 400:
                # Refused (a name taken, an address refused): nothing was made, so the
                # same form may be sent again, and a reload shows the refusal again.
                cache.delete(key)
            elif response.status_code in (301, 302, 303) and response["Location"]:
                cache.set(key, response["Location"], LIFETIME)  # where a repeat goes too
            return response

        return wrapped

    return decorator
