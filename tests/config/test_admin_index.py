"""The admin's index names every model of ours in plain English: Django adds an "s" to
the verbose name, which read "Deliverys", "Org identitys", "Social identitys" and
"Directorys" to operators."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.apps import apps

OURS = {
    "core", "accounts", "mfa", "tenants", "sessions_app", "uploads", "billing",
    "webhooks", "api", "sso", "scim", "scheduler", "support",
}  # fmt: skip


def test_no_model_of_ours_is_pluralised_by_a_bare_s_after_a_consonant_y() -> None:
    plurals = {
        model._meta.label: str(model._meta.verbose_name_plural)
        for model in apps.get_models()
        if model._meta.app_label in OURS
    }

    assert len(plurals) > 30, sorted(plurals)
    wrong = {
        label: plural for label, plural in plurals.items() if re.search(r"[^aeiou]ys$", plural)
    }
    assert not wrong, wrong


@pytest.mark.django_db
def test_the_admin_index_lists_the_plural_operators_read(staff_client: Any) -> None:
    page = staff_client.get("/admin/").content.decode()

    for plural in ("Deliveries", "Organisation identities", "Social identities"):
        assert f">{plural}<" in page, plural
