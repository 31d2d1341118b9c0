"""The audit log as CSV: the events the page shows with the same filters, every page of
them, in the reader's language, safe to open in a spreadsheet, for those who may read
the log only."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone, translation

from core.models import AuditEvent
from tenants import services
from tenants.audit import TenantAction as A
from tests.billing.factories import subscribe
from tests.tenants.factories import OrgFactory

pytestmark = pytest.mark.django_db


def _export(client: Any, tenant: Any, **query: Any) -> list[dict[str, str]]:
    response = client.get(f"/t/{tenant.slug}/audit/export.csv", query)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(f'attachment; filename="audit-{tenant.slug}-')
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # Excel reads it as UTF-8
    return list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))


def test_every_event_the_filters_match_not_only_the_first_page(
    owner_client: Any, acme: Any, owner: Any
) -> None:
    with time_machine.travel(datetime(2026, 3, 9, 12, 0, tzinfo=UTC), tick=False):
        AuditEvent.objects.bulk_create(
            AuditEvent(tenant=acme, action=A.TENANT_RENAMED, actor=owner, target_label=f"n{i}")
            for i in range(120)
        )
        AuditEvent.objects.create(tenant=acme, action=A.ROLE_CREATED, target_label="other")

    rows = _export(owner_client, acme, action=A.TENANT_RENAMED, since="2026-03-09")

    assert len(rows) == 120
    assert {row["Action code"] for row in rows} == {"tenant.renamed"}
    assert rows[0]["Who"] == owner.email and rows[0]["Action"] == "Workspace renamed"
    assert rows[0]["When (UTC)"] == "2026-03-09T12:00:00+00:00"
    assert _export(owner_client, acme, since="2026-03-10", until="2026-03-10") == []


def test_the_page_links_to_the_csv_of_its_filters(owner_client: Any, acme: Any, owner: Any) -> None:
    AuditEvent.objects.create(tenant=acme, action=A.TENANT_RENAMED, actor=owner)

    html = owner_client.get(f"/t/{acme.slug}/audit/", {"action": A.TENANT_RENAMED}).content
    html = html.decode()

    link = f'href="/t/{acme.slug}/audit/export.csv?action=tenant.renamed&amp;"'
    assert link in html


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_written_as_text(
    owner_client: Any, acme: Any, owner: Any
) -> None:
    """A target named "=HYPERLINK(…)" ran in the reader's spreadsheet (CSV injection)."""
    for name in ('=HYPERLINK("http://evil.example","x")', "+1", "-1", "@SUM(A1)", "plain"):
        AuditEvent.objects.create(
            tenant=acme, action=A.TEAM_CREATED, actor=owner, target_label=name
        )

    targets = {row["Target"] for row in _export(owner_client, acme, action=A.TEAM_CREATED)}

    assert targets == {
        '\'=HYPERLINK("http://evil.example","x")',
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "plain",
    }


def test_every_cell_is_quoted_so_a_semicolon_cannot_start_a_formula_cell(
    owner_client: Any, acme: Any, owner: Any
) -> None:
    """A spreadsheet that splits on ";" (Excel in German) read x;=1+1 as two cells, the
    second a formula: quoted, it is one cell of text."""
    AuditEvent.objects.create(
        tenant=acme, action=A.TEAM_CREATED, actor=owner, target_label="x;=1+1"
    )

    response = owner_client.get(f"/t/{acme.slug}/audit/export.csv?action={A.TEAM_CREATED}")
    [_, line] = b"".join(response.streaming_content).decode().lstrip("\ufeff").splitlines()

    assert line.startswith('"') and line.endswith('"')
    assert ',"x;=1+1",' in line


def test_the_words_are_the_readers(client: Any, acme: Any, owner: Any) -> None:
    owner.language = "de"
    owner.save(update_fields=["language"])
    client.force_login(owner)
    services.tenant_rename(tenant=acme, name="Acme Neu", acting_user=owner)

    response = client.get(f"/t/{acme.slug}/audit/export.csv", {"action": A.TENANT_RENAMED})
    translation.activate("en")  # what another request may leave before the rows stream
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))

    assert list(rows[0]) == [
        "Zeitpunkt (UTC)",
        "Wer",
        "Über den Support",
        "IP-Adresse",
        "Aktion",
        "Aktionscode",
        "Ziel",
        "Änderung",
    ]
    assert rows[0]["Aktion"] == "Arbeitsbereich umbenannt"
    assert "Acme Neu" in rows[0]["Änderung"]


def test_the_plans_window_holds_as_on_the_page(
    billing_on: Any, owner_client: Any, acme: Any, owner: Any
) -> None:
    with time_machine.travel(timezone.now() - timedelta(days=45)):
        services.tenant_rename(tenant=acme, name="Acme Ancient", acting_user=owner)
    services.tenant_rename(tenant=acme, name="Acme Recent", acting_user=owner)

    free = [r["Change"] for r in _export(owner_client, acme, action=A.TENANT_RENAMED)]
    subscribe(acme, "pro")
    pro = [r["Change"] for r in _export(owner_client, acme, action=A.TENANT_RENAMED)]

    assert free == ["Name: Acme Ancient → Acme Recent"]
    assert pro == ["Name: Acme Ancient → Acme Recent", "Name: Acme → Acme Ancient"]


def test_members_and_other_organisations_get_nothing(
    acme: Any, member_of_acme: Any, owner_client: Any
) -> None:
    other = OrgFactory(name="Other")
    AuditEvent.objects.create(tenant=other, action=A.TENANT_RENAMED, target_label="secret")
    member = Client()
    member.force_login(member_of_acme)

    assert member.get(f"/t/{acme.slug}/audit/export.csv").status_code == 403
    assert "secret" not in str(_export(owner_client, acme))
    assert owner_client.get(f"/t/{other.slug}/audit/export.csv").status_code == 404


def test_a_creation_and_a_removal_say_their_one_value_as_the_page_does(
    owner_client: Any, acme: Any, owner: Any
) -> None:
    """The CSV wrote a creation "Name:  → Customer Success", a blank before its arrow,
    where the page says "Name: Customer Success"."""
    AuditEvent.objects.create(
        tenant=acme, action=A.TEAM_CREATED, target_label="cs", after={"name": "Customer Success"}
    )
    AuditEvent.objects.create(
        tenant=acme,
        action=A.TEAM_UPDATED,
        target_label="cs",
        before={"name": "Customer Success"},
        after={"name": "Success"},
    )
    AuditEvent.objects.create(
        tenant=acme, action=A.TEAM_DELETED, target_label="cs", before={"name": "Success"}
    )

    rows = _export(owner_client, acme)[:3]  # newest first; then "Workspace created"
    page = owner_client.get(f"/t/{acme.slug}/audit/").content.decode()

    assert [row["Change"] for row in rows] == [
        "Name: Success",
        "Name: Customer Success → Success",
        "Name: Customer Success",
    ]
    said = [
        " ".join(re.sub(r"<[^>]+>", " ", cell).split()).replace(" :", ":")
        for cell in re.findall(r'data-testid="audit-change">(.*?)</div></td>', page, re.S)
    ]
    assert said[:3] == [row["Change"] for row in rows]
