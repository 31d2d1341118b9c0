"""The keys of an audit event's before/after are declared with the name the log page
shows for them, in the reader's language (core/audit_actions.py)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core import audit_actions
from core.audit_actions import (
    audit_actions_register,
    audit_field_is_declared,
    audit_field_label,
    audit_value_label,
)
from sessions_app.audit import SessionAction
from support.audit import SupportAction

ROOT = Path(__file__).resolve().parents[2]
APPS = ["accounts", "api", "billing", "core", "mfa", "scim", "sessions_app", "sso"]
APPS += ["support", "tenants", "uploads", "webhooks"]


class _Nothing(models.TextChoices):
    pass


def test_a_declared_key_is_named_in_the_readers_language() -> None:
    with translation.override("de"):
        assert audit_field_label("content_type") == "Dateityp"
        assert audit_field_label("role") == "Rolle"
    assert audit_field_label("content_type") == "File type"


def test_a_key_nobody_declared_shows_as_stored() -> None:
    # A staff edit in the admin names whichever model fields changed.
    assert audit_field_label("is_staff") == "is staff"


def test_a_key_declared_twice_must_keep_its_name() -> None:
    audit_actions_register(_Nothing, fields={"email": _("Email")})  # as tenants and sso do
    with pytest.raises(ValueError, match="'email' is declared twice"):
        audit_actions_register(_Nothing, fields={"email": _("Email address")})


def _written_dicts() -> Iterator[tuple[ast.Dict, str]]:
    """Each dict literal in a `before=`/`after=` argument of the apps' code (merged ones,
    `{...} | {...}`, too), with where it is written."""
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Call):
                    continue
                for keyword in node.keywords:
                    if keyword.arg in ("before", "after"):
                        for written in ast.walk(keyword.value):
                            if isinstance(written, ast.Dict):
                                yield written, f"{path.relative_to(ROOT)}:{node.lineno}"


def _literal_keys() -> dict[str, str]:
    """Each key written as a literal."""
    return {
        key.value: where
        for written, where in _written_dicts()
        for key in written.keys
        if isinstance(key, ast.Constant)
    }


def test_every_key_the_code_writes_is_declared() -> None:
    keys = _literal_keys()
    assert len(keys) > 30  # the scan sees the apps' events
    assert {k: where for k, where in keys.items() if not audit_field_is_declared(k)} == {}


@pytest.mark.parametrize(
    "key",
    # Keys written through variables the scan above cannot read.
    ["language", "time_zone", "password", "authenticator_apps", "passkeys", "recovery_codes"]
    + ["user_name", "emails", "external_id", "given_name", "family_name", "display_name"]
    + ["protocol", "issuer", "client_id", "scopes", "require_sso", "auto_join"]
    + ["join_requests", "sync_teams_from_groups", "saml_idp_entity_id", "default_role"]
    + ["saml_attr_email", "saml_attr_groups", "why", "minutes", "plan", "status"],
)
def test_keys_written_through_variables_are_declared_too(key: str) -> None:
    assert audit_field_is_declared(key)


def _literal_string_values() -> dict[str, str]:
    """Each string written as a literal value (either side of `a if c else b` too)."""
    return {
        text: where
        for written, where in _written_dicts()
        for value in written.values
        for text in _strings(value)
    }


def _strings(value: ast.expr | None) -> list[str]:
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return [value.value]
    if isinstance(value, ast.IfExp):
        return _strings(value.body) + _strings(value.orelse)
    return []


def test_no_event_stores_a_code_written_as_a_bare_string() -> None:
    # A code comes from a choices class its app declares under `values`
    # (tenants.audit.Via.SSO_GROUPS, not "sso groups"), so the page can say it.
    assert _literal_string_values() == {}


class _Colour(models.TextChoices):
    RED = "red", _("Red")


class _Painted(models.TextChoices):
    PAINTED = "test.painted", "Painted"


def test_a_declared_code_is_said_in_the_readers_language() -> None:
    with translation.override("de"):
        said = audit_value_label(action=SessionAction.REVOKED, key="reason", value="admin")
    assert said == "Von einem Administrator widerrufen"


def test_codes_are_the_declaring_apps_own() -> None:
    # Support's "reason" is what staff typed: a word that is a session code stays as typed.
    assert (
        audit_value_label(action=SupportAction.IMPERSONATION_STARTED, key="reason", value="admin")
        == "admin"
    )
    assert audit_value_label(action=SessionAction.REVOKED, key="reason", value="admin") == (
        "Revoked by an administrator"
    )


def test_an_unknown_code_and_a_number_show_as_stored() -> None:
    assert audit_value_label(action=SessionAction.REVOKED, key="reason", value="later") == "later"
    assert audit_value_label(action=SessionAction.REVOKED, key="sessions", value=3) == 3
    # A plan since taken out of the settings keeps its key.
    assert audit_value_label(action="billing.plan_changed", key="plan", value="gold") == "gold"
    assert audit_value_label(action="billing.plan_changed", key="plan", value="pro") == "Pro"


def test_codes_need_a_named_key(monkeypatch: pytest.MonkeyPatch) -> None:
    for registry in ("_ACTIONS", "_FIELDS", "_VALUES"):  # this test's declarations stay here
        monkeypatch.setattr(audit_actions, registry, dict(getattr(audit_actions, registry)))
    audit_actions_register(_Painted, fields={"colour": "Colour"}, values={"colour": _Colour})
    assert audit_value_label(action="test.painted", key="colour", value="red") == "Red"
    with pytest.raises(ValueError, match="'shade' has values but no name"):
        audit_actions_register(_Painted, values={"shade": _Colour})


def test_a_stored_moment_is_said_in_the_readers_format_and_zone() -> None:
    stored = "2027-02-23T02:53:36.958009+00:00"  # an API key's expiry, as written
    with translation.override("de"), timezone.override("Europe/Berlin"):
        said = audit_value_label(action="api_key.created", key="expires_at", value=stored)
    assert said == "23. Februar 2027, 03:53 CET"  # as every page and email says a moment
    assert audit_value_label(action="api_key.created", key="expires_at", value="soon") == "soon"
    # It read "March 6, 2027, 12:30 a.m." (no zone) and "مارس 6, 2027, 12:30 ص".
    with translation.override("en"), timezone.override("UTC"):
        said = audit_value_label(action="api_key.created", key="expires_at", value=stored)
    assert said == "23 February 2027, 02:53 UTC"


def test_a_stored_size_is_said_with_its_unit_in_the_readers_language() -> None:
    """ "Size: 5" was the log's whole word on an upload; codes stay as they were."""
    with translation.override("de"):
        said = audit_value_label(action="file.uploaded", key="size", value=2048)
    assert said.replace("\xa0", " ") == "2,0 KB"
    assert (
        audit_value_label(action="file.uploaded", key="size", value=5).replace("\xa0", " ")
        == "5 bytes"
    )
    # Anything that is not a number of bytes stays as stored.
    assert audit_value_label(action="file.uploaded", key="size", value="5") == "5"
    assert audit_value_label(action="file.uploaded", key="size", value=True) is True
    # A code-saying function is never handed what it does not read.
    assert audit_value_label(action="billing.plan_changed", key="plan", value=3) == 3
