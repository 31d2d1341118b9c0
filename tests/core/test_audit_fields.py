"""The keys of an audit event's before/after are declared with the name the log page
shows for them, in the reader's language (core/audit_actions.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.audit_actions import audit_actions_register, audit_field_is_declared, audit_field_label

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


def _literal_keys() -> dict[str, str]:
    """Each key written as a literal in a `before=`/`after=` dict of the apps' code."""
    keys: dict[str, str] = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Call):
                    continue
                for keyword in node.keywords:
                    if keyword.arg in ("before", "after") and isinstance(keyword.value, ast.Dict):
                        for key in keyword.value.keys:
                            if isinstance(key, ast.Constant):
                                keys[key.value] = f"{path.relative_to(ROOT)}:{node.lineno}"
    return keys


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
