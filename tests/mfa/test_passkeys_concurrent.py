"""A passkey renamed in one tab while another removes it: the rename waits for the
removal under the person's lock and then says the passkey is gone, where it read the
row before the lock and failed to save it, a 500. Needs PostgreSQL (two connections)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from mfa.exceptions import TwoFactorStateError
from mfa.models import Passkey
from mfa.services_passkeys import passkey_remove, passkey_rename
from tests.accounts.factories import UserFactory
from tests.core.concurrency import first_holds_then_second

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent connections need PostgreSQL"
)


def test_renaming_a_passkey_removed_meanwhile_is_refused_in_words(transactional_db: Any) -> None:
    person = UserFactory()
    passkey = Passkey.objects.create(
        user=person, name="Work laptop", credential_id="cred-1", public_key=b"\x01k"
    )

    removed, renamed = first_holds_then_second(
        lambda: passkey_remove(user=person, passkey_id=passkey.pk, acting_user=person),
        lambda: passkey_rename(user=person, passkey_id=passkey.pk, name="Home"),
    )

    assert removed is None, removed
    assert isinstance(renamed, TwoFactorStateError), renamed
    assert "doesn't exist any more" in str(renamed)
    assert not Passkey.objects.filter(user=person).exists()
