"""A passkey named in one long word (60 characters, no space: a pasted identifier)
wraps inside its card on a phone. It ran 290 px past a 360 px window."""

from __future__ import annotations

from typing import Any

import pytest

from mfa.models import Passkey
from tests.accounts.factories import UserFactory
from tests.config.pagecheck import PageWatch
from tests.core.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [360, 1280])
def test_a_long_passkey_name_wraps_inside_its_card(page: Any, width: int) -> None:
    person = UserFactory()
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)
    sign_in(page, person.email)  # before the passkey exists: no second step to pass
    name = "YubiKey5NFCserial0123456789backupintheofficesafeA1B2C3D4E5F6"
    Passkey.objects.create(user=person, name=name, credential_id="cred-1", public_key=b"\x01k")

    assert watch.check("/account/security/") == []
    assert page.get_by_text(name).is_visible()
