"""The audit actions each app declares: one registry, read by the writer and the log page.

Every app owns the actions its services write. It declares them as a `TextChoices`
class in its own `audit.py` and registers them in `AppConfig.ready()`:

    audit_actions_register(FileAction, destructive=[FileAction.DELETED], fields=FIELDS)

`audit_record` refuses a code nobody declared; the audit log page offers the
declared ones as filters and marks the destructive ones in red. The column itself
stores the plain code, so an app adding actions needs no migration. `fields` names the
keys its events carry in `before`/`after` ({"content_type": _("File type")}), which the
log page shows in the reader's language instead of the stored key. `values` says what the
codes stored under a key mean ({"reason": Session.RevokedReason}, or a function of the
stored value): the page shows "Revoked by an administrator", not "admin". Values are
declared per app because a key may carry codes in one app's events and free text in
another's (support's "reason" is typed by staff). `group` names the area the log page's
action menu lists the actions under ("Files"); an app whose actions span areas maps each
code to its area, and apps naming the same area share one group.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core.templatetags.times import day as day_text
from core.templatetags.times import moment as moment_text

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


# Where the audit log's action menu lists the staff's changes (support's join them).
STAFF_GROUP = _("Support & staff")


class StaffAction(models.TextChoices):
    """Changes staff make in the admin (core/admin.py)."""

    CHANGED = "staff.changed", _("Changed by staff")
    DELETED = "staff.deleted", _("Deleted by staff")


@dataclass(frozen=True)
class _Declared:
    # Lazy (gettext_lazy in each app's audit.py): read in the language of the page.
    label: StrOrPromise
    destructive: bool
    group: str  # a key of _GROUPS ("" for an app that named none)


_ACTIONS: dict[str, _Declared] = {}

# Each area's label (lazy), keyed by its English text: apps naming "Security & sign-in"
# separately share one group.
_GROUPS: dict[str, StrOrPromise] = {}

# Where the menu lists the actions of an app that named no area.
OTHER_GROUP = _("Other")


_FIELDS: dict[str, StrOrPromise] = {}

# A key's codes: a choices class, or a function saying a stored value (None: as stored).
# The function is given whatever was stored (a code, a number, a list) and says None for
# what it does not know.
ValueLabels = type[models.Choices] | Callable[[object], "StrOrPromise | None"]

_VALUES: dict[tuple[str, str], Callable[[object], StrOrPromise | None]] = {}  # (action, key)


def audit_actions_register(
    choices: type[models.TextChoices],
    *,
    destructive: Iterable[str] = (),
    fields: Mapping[str, StrOrPromise] | None = None,
    values: Mapping[str, ValueLabels] | None = None,
    group: StrOrPromise | Mapping[str, StrOrPromise] | None = None,
) -> None:
    """Declare an app's actions, the area the log page's menu lists them under, the keys
    of its changes and what the codes under its keys mean (idempotent); a code or a key
    declared twice must keep its label (apps share "name", "email", "role")."""
    destructive = set(destructive)
    if isinstance(group, Mapping):
        for code in choices.values:
            if code not in group:
                raise ValueError(f"Audit action {code!r} has no group: name its area.")
    for code, label in choices.choices:
        area = group[code] if isinstance(group, Mapping) else group
        declared = _Declared(label=label, destructive=code in destructive, group=_group_key(area))
        if _ACTIONS.setdefault(code, declared) != declared:
            raise ValueError(f"Audit action {code!r} is declared twice, differently.")
    for key, name in (fields or {}).items():
        if str(_FIELDS.setdefault(key, name)) != str(name):
            raise ValueError(f"Audit field {key!r} is declared twice, differently.")
    for key, labels in (values or {}).items():
        if key not in _FIELDS:
            raise ValueError(f"Audit field {key!r} has values but no name: declare it in fields.")
        said: Callable[[object], StrOrPromise | None]
        if isinstance(labels, type):  # a choices class: codes are strings
            table = dict(cast("type[models.Choices]", labels).choices)

            def said(value: object, table: dict[Any, StrOrPromise] = table) -> StrOrPromise | None:
                return table.get(value) if isinstance(value, str) else None
        else:
            said = labels
        for code, _label in choices.choices:
            _VALUES[(code, key)] = said


def _group_key(label: StrOrPromise | None) -> str:
    """The area's English text: the same label named by two apps is one group whatever
    language is active while the apps load."""
    if label is None:
        return ""
    with translation.override(None):
        key = str(label)
    _GROUPS.setdefault(key, label)
    return key


def audit_action_exists(code: str) -> bool:
    return code in _ACTIONS


def audit_action_label(code: str) -> str:
    declared = _ACTIONS.get(code)
    return str(declared.label) if declared else code


def audit_field_label(key: str) -> str:
    """How the log page names a key of `before`/`after`; an undeclared one (a staff
    edit in the admin names model fields) as it is stored, underscores as spaces."""
    label = _FIELDS.get(key)
    return str(label) if label is not None else key.replace("_", " ")


def audit_value_label(*, action: str, key: str, value: object) -> object:
    """A stored value as the log page shows it: a code the action's app declared under
    this key in the reader's language, anything else (a name, a number) as stored."""
    labels = _VALUES.get((action, key))
    if labels is None:
        return value
    said = labels(value)
    return value if said is None else str(said)


def _stored_moment(value: object) -> datetime | None:
    """A moment stored as an aware ISO 8601 string, or None for anything else."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return None if timezone.is_naive(moment) else moment


def moment_said(value: object) -> str | None:
    """A moment stored as ISO 8601 (an expiry, a deadline) in the reader's format and time
    zone; anything else as stored. For an app's `values`."""
    moment = _stored_moment(value)
    # The pattern, zone and language every page and email use ("6 March 2027, 00:30
    # UTC"); Django's DATETIME_FORMAT said "March 6, 2027, 12:30 a.m." without a zone.
    return None if moment is None else moment_text(moment)


def day_said(value: object) -> str | None:
    """A moment stored as ISO 8601 said as its date alone, in the reader's zone and
    language ("5 January 2027"): for a day, such as when a subscription ends."""
    moment = _stored_moment(value)
    return None if moment is None else day_text(moment)


def size_said(value: object) -> str | None:
    """A size stored in bytes ("5", "2048") with its unit, in the reader's language."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return filesizeformat(value)


def audit_field_is_declared(key: str) -> bool:
    return key in _FIELDS


def audit_action_is_destructive(code: str) -> bool:
    declared = _ACTIONS.get(code)
    return bool(declared and declared.destructive)


def audit_action_choices() -> list[tuple[str, StrOrPromise]]:
    """(code, label) of every declared action, in the order the apps declared them."""
    return [(code, declared.label) for code, declared in _ACTIONS.items()]


def audit_action_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """[(area, [(code, label), ...]), ...] for the log page's menu, in the reader's
    language and alphabetical (areas, and the actions in each) so a reader can scan for
    one; not in the order the apps load, which put "Support & staff" first. The actions
    of an app that named no area come last, as "Other"."""
    grouped: dict[str, list[tuple[str, str]]] = {}
    for code, declared in _ACTIONS.items():
        grouped.setdefault(declared.group, []).append((code, str(declared.label)))
    ungrouped = grouped.pop("", None)
    groups = sorted(
        ((str(_GROUPS[key]), actions) for key, actions in grouped.items()),
        key=lambda group: _alphabetical(group[0]),
    )
    if ungrouped:
        groups.append((str(OTHER_GROUP), ungrouped))
    return [
        (area, sorted(actions, key=lambda action: (_alphabetical(action[1]), action[0])))
        for area, actions in groups
    ]


def _alphabetical(text: str) -> str:
    """A sort key close enough to a dictionary's for a menu: case and accents aside
    ("Änderung" among the A's, not after Z; Arabic without its vowel marks)."""
    return "".join(
        c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c)
    )
