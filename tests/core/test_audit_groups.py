"""The audit log's action menu lists the actions by area, each app naming the area of
its own (core/audit_actions.py), so a reader scans a dozen headings, not ~90 actions."""

from __future__ import annotations

import pytest
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.audit_actions import audit_action_choices, audit_action_groups, audit_actions_register


def _areas() -> dict[str, list[str]]:
    return {area: [code for code, _label in actions] for area, actions in audit_action_groups()}


def test_every_declared_action_is_listed_once_under_an_area() -> None:
    listed = [code for codes in _areas().values() for code in codes]

    assert sorted(listed) == sorted(code for code, _label in audit_action_choices())
    assert "Other" not in _areas()  # every app named its area


def test_the_areas_the_reader_scans() -> None:
    assert list(_areas()) == [
        "Account",
        "API & webhooks",
        "Billing",
        "Files",
        "Members & roles",
        "Security & sign-in",
        "Single sign-on & directory",
        "Support & staff",
        "Teams",
        "Workspace",
    ]


def test_apps_naming_the_same_area_share_it() -> None:
    areas = _areas()

    assert {"api_key.created", "webhook.created"} <= set(areas["API & webhooks"])
    # tenants, mfa, sessions_app and sso's sign-in providers
    assert {"tenant.2fa_required", "mfa.passkey_added", "session.revoked", "social.connected"} <= (
        set(areas["Security & sign-in"])
    )
    assert {"team.created", "team.member_added"} <= set(areas["Teams"])
    assert "member.joined" in areas["Members & roles"]


def test_areas_and_actions_are_in_the_readers_alphabetical_order() -> None:
    with translation.override("de"):
        groups = dict(audit_action_groups())

    assert list(groups)[:4] == ["Abrechnung", "API & Webhooks", "Arbeitsbereich", "Dateien"]
    roles = [label for _code, label in groups["Mitglieder & Rollen"]]
    # As a dictionary orders them: "ä" among the a's (by code point it came after "l").
    assert roles[-4:] == [
        "Rolle aktualisiert",
        "Rolle erstellt",
        "Rolle geändert",
        "Rolle gelöscht",
    ]
    assert roles[:2] == ["Einladung abgelehnt", "Einladung erneut gesendet"]


class _Mixed(models.TextChoices):
    ONE = "test.group_one", "One"
    TWO = "test.group_two", "Two"


def test_an_app_mapping_its_actions_to_areas_must_name_each() -> None:
    with pytest.raises(ValueError, match="'test.group_two' has no group"):
        audit_actions_register(_Mixed, group={_Mixed.ONE: _("Files")})

    assert "test.group_one" not in dict(audit_action_choices())  # nothing half-declared
