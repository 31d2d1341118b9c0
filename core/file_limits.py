"""A file field's size limit, and the room a storage cap leaves, said in its markup so
the browser refuses a bigger file before sending a byte (static/src/js/file-size.js).
The server still checks: the form refuses a file over the limit (and the storage cap's
service a file it has no room for), and a body over the view's
`@accepts_body(setting=...)` is answered 413 before it is read
(core/request_limits.py), which is all a browser without JavaScript gets."""

from __future__ import annotations

import math

from django import forms
from django.utils.formats import get_format, number_format
from django.utils.translation import gettext as _

from core.text import isolated


def size_in_megabytes(n: int, *, rounded_down: bool = False) -> str:
    """Megabytes in the reader's numbers, rounded up to a tenth: a file a byte over a
    25 MB limit reads "25.1 MB", not "25 MB; the limit is 25 MB". Room left is
    `rounded_down`: 4 MB less a byte reads "3.9 MB", never as much as a 4 MB file."""
    rounding = math.floor if rounded_down else math.ceil
    tenths = rounding(n * 10 / (1024 * 1024))
    size = number_format(tenths / 10, decimal_pos=0 if tenths % 10 == 0 else 1)
    return _("%(size)s MB") % {"size": size}


def size_slot() -> str:
    """The chosen file's size in a refusal the script fills in (in MB): what a refusal
    put on an input says in place of the size."""
    return _("%(size)s MB") % {"size": "{size}"}


def _named_slot(reason: str) -> str:
    """The words the forms refuse a file with (uploads/forms.py), naming it: the
    script fills in the name."""
    return _("“%(name)s”: %(reason)s") % {"name": isolated("{name}"), "reason": reason}


def file_size_limit(field: forms.Field, max_bytes: int) -> None:
    """Put `max_bytes` (read from the setting the server enforces, in the form's
    __init__) on the field's input, with the refusal in the reader's language: the
    translations exist only here, so the script fills in the name and size alone."""
    too_large = _("This file is %(size)s; the limit is %(limit)s.") % {
        "size": size_slot(),
        "limit": size_in_megabytes(max_bytes),
    }
    field.widget.attrs.update(
        {
            "data-max-bytes": str(max_bytes),
            "data-too-large": _named_slot(too_large),
            "data-decimal-separator": get_format("DECIMAL_SEPARATOR"),
        }
    )


def file_room_limit(
    field: forms.Field, *, room_bytes: int, refusal: str, upgrade_url: str = ""
) -> None:
    """Put the room a storage cap leaves (`room_bytes`, from the count the server checks
    against) on the field's input, with the server's `refusal` of a file of
    `size_slot()`. `upgrade_url`, for whom may buy more room, is linked after it as the
    server's refusal links it (templates/uploads/file_list.html)."""
    field.widget.attrs.update(
        {
            "data-room-bytes": str(room_bytes),
            "data-no-room": _named_slot(refusal),
            "data-decimal-separator": get_format("DECIMAL_SEPARATOR"),
        }
    )
    if upgrade_url:
        field.widget.attrs.update(
            {"data-upgrade-url": upgrade_url, "data-upgrade-label": _("See plans and upgrade")}
        )
