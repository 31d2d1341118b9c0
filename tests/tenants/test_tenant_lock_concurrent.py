"""The tenant's lock (`lock_tenant`) serialises the rules that count per tenant without
deadlocking against a request that holds another row and audits: PostgreSQL checks a
deferred foreign key to the tenant at commit with a key-share lock, which FOR UPDATE
blocked (a review found role_update against role_delete, and a webhook endpoint's edit
against an upload, each ending in "deadlock detected" and a 500). Needs PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from tenants import services
from tests.accounts.factories import UserFactory
from tests.core.concurrency import first_holds_then_second
from tests.tenants.factories import OrgFactory
from uploads.services import upload_create
from webhooks.services import endpoint_create, endpoint_update

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent connections need PostgreSQL"
)


def test_a_role_edit_and_its_deletion_at_the_same_moment_do_not_deadlock(
    transactional_db: None,
) -> None:
    owner = UserFactory()
    org = OrgFactory(owner=owner, name="Acme")
    role = services.role_create(
        tenant=org, name="Editor", permissions=["files.manage"], acting_user=owner
    )

    edited, deleted = first_holds_then_second(
        lambda: services.role_update(
            tenant=org, role=role, name="Writers", permissions=[], acting_user=owner
        ),
        lambda: services.role_delete(tenant=org, role=role, acting_user=owner),
        hold=1.0,
    )

    assert edited.name == "Writers" and deleted is None, (edited, deleted)


def test_an_endpoint_edit_and_an_upload_at_the_same_moment_do_not_deadlock(
    transactional_db: None, settings: Any
) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    owner = UserFactory()
    org = OrgFactory(owner=owner, name="Acme")
    url = "http://127.0.0.1:9/hook"
    endpoint, _ = endpoint_create(
        tenant=org, url=url, description="CRM", event_types=["file.uploaded"], acting_user=owner
    )
    file = SimpleUploadedFile("a.txt", b"x" * 10, content_type="text/plain")

    edited, uploaded = first_holds_then_second(
        lambda: endpoint_update(
            tenant=org,
            endpoint=endpoint,
            url=url,
            event_types=["file.uploaded"],
            description="CRM 2",
            acting_user=owner,
        ),
        lambda: upload_create(
            tenant=org, uploaded_by=owner, file=file, extension="txt", content_type="text/plain"
        ),
        hold=1.0,
    )

    assert not isinstance(edited, BaseException), edited
    assert not isinstance(uploaded, BaseException), uploaded
