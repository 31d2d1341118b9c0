"""Lists as docs/api.md describes them: members, teams and invitations in creation
order, every page within `limit` (1 to 200)."""

from __future__ import annotations

from typing import Any

import pytest

from tenants.invitations import invitation_create
from tests.api.conftest import Org, build_org


@pytest.fixture
def acme(db: None) -> Org:
    return build_org("Acme")


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_invitations_are_listed_in_creation_order_across_pages(client: Any, acme: Org) -> None:
    later = [
        invitation_create(
            tenant=acme.tenant,
            email=f"later{i}@acme.example",
            role=acme.role,
            acting_user=acme.owner,
        )
        for i in range(2)  # the Free plan holds 5 members and invitations
    ]
    seen, cursor = [], ""
    while True:
        page = client.get(f"/api/v1/invitations?limit=2{cursor}", headers=bearer(acme.key)).json()
        seen += [invitation["id"] for invitation in page["data"]]
        if page["next_cursor"] is None:
            break
        cursor = f"&cursor={page['next_cursor']}"

    assert seen == [acme.invitation.pk, *(invitation.pk for invitation in later)]
