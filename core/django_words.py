"""Django's own words that our catalogue translates again: our catalogues
(LOCALE_PATHS) come before Django's, so a wrong translation there is mended here.
makemessages finds the msgids in this module; nothing calls it.

- "%(size)d byte(s)" (`filesizeformat`): Django's Arabic says "بايتان" ("two bytes")
  for 3 to 10 ("5 بايتان"), and gives 11 to 99 the form of 100 and more."""

from __future__ import annotations

from django.utils.translation import ngettext_lazy

MENDED = (ngettext_lazy("%(size)d byte", "%(size)d bytes", "size"),)
