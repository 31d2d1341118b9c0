"""Django's own words that our catalogue translates again: our catalogues
(LOCALE_PATHS) come before Django's, so a wrong translation there is mended here.
makemessages finds the msgids in this module; nothing calls it.

- "%(size)d byte(s)" (`filesizeformat`): Django's Arabic says "بايتان" ("two bytes")
  for 3 to 10 ("5 بايتان"), and gives 11 to 99 the form of 100 and more.
- The minimum length validator's refusal: Django's Arabic has only its older wording
  (with "%(min_length)d"), so Arabic readers got it in English.
- The similarity validator's refusal: Django's German and Arabic put the field's name
  after a preposition without its article ("zu ähnlich zu Name")."""

from __future__ import annotations

from django.utils.translation import gettext_lazy, ngettext_lazy

MENDED = (
    ngettext_lazy("%(size)d byte", "%(size)d bytes", "size"),
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        "min_length",
    ),
    gettext_lazy("The password is too similar to the %(verbose_name)s."),
)
