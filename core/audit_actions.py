"""The audit actions each app declares: one registry, read by the writer and the log page.

Every app owns the actions its services write. It declares them as a `TextChoices`
class in its own `audit.py` and registers them in `AppConfig.ready()`:

    audit_actions_register(FileAction, destructive=[FileAction.DELETED])

`audit_record` refuses a code nobody declared; the audit log page offers the
declared ones as filters and marks the destructive ones in red. The column itself
stores the plain code, so an app adding actions needs no migration.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class StaffAction(models.TextChoices):
    """Changes staff make in the admin (core/admin.py)."""

    CHANGED = "staff.changed", _("Changed by staff")
    DELETED = "staff.deleted", _("Deleted by staff")


@dataclass(frozen=True)
class _Declared:
    # Lazy (gettext_lazy in each app's audit.py): read in the language of the page.
    label: StrOrPromise
    destructive: bool


_ACTIONS: dict[str, _Declared] = {}


def audit_actions_register(
    choices: type[models.TextChoices], *, destructive: Iterable[str] = ()
) -> None:
    """Declare an app's actions (idempotent); a code declared twice must keep its label."""
    destructive = set(destructive)
    for code, label in choices.choices:
        declared = _Declared(label=label, destructive=code in destructive)
        if _ACTIONS.setdefault(code, declared) != declared:
            raise ValueError(f"Audit action {code!r} is declared twice, differently.")


def audit_action_exists(code: str) -> bool:
    return code in _ACTIONS


def audit_action_label(code: str) -> str:
    declared = _ACTIONS.get(code)
    return str(declared.label) if declared else code


def audit_action_is_destructive(code: str) -> bool:
    declared = _ACTIONS.get(code)
    return bool(declared and declared.destructive)


def audit_action_choices() -> list[tuple[str, StrOrPromise]]:
    """(code, label) of every declared action, in the order the apps declared them."""
    return [(code, declared.label) for code, declared in _ACTIONS.items()]
