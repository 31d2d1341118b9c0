"""Two uploads sent at the same moment (two tabs, or the API) cannot take a workspace
past its plan's storage cap: the second waits for the first under the tenant's lock and
is then refused, where both used to pass the check and be stored (an attacker stored
3.6 MB under a 1 MB cap with six at once). Needs PostgreSQL (concurrent connections)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from billing.exceptions import PlanLimitReached
from tests.core.concurrency import first_holds_then_second
from tests.tenants.factories import OrgFactory
from uploads.models import Upload
from uploads.services import upload_create

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent connections need PostgreSQL"
)


def test_two_uploads_at_the_same_moment_fit_the_cap_once(
    transactional_db: None, settings: Any
) -> None:
    plans = copy.deepcopy(settings.BILLING_PLANS)
    plans["free"]["max_storage_mb"] = 1
    settings.BILLING_PLANS = plans
    org = OrgFactory(name="Acme")

    def upload(name: str) -> Upload:
        file = SimpleUploadedFile(f"{name}.txt", b"x" * 600_000, content_type="text/plain")
        return upload_create(
            tenant=org, uploaded_by=None, file=file, extension="txt", content_type="text/plain"
        )

    one, two = first_holds_then_second(lambda: upload("one"), lambda: upload("two"))

    assert isinstance(one, Upload) and isinstance(two, PlanLimitReached), (one, two)
    assert [u.original_filename for u in Upload.objects.filter(tenant=org)] == ["one.txt"]
