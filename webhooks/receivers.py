"""How webhooks answers core's signals (connected in WebhooksConfig.ready())."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from webhooks.crypto import secret_rotate
from webhooks.models import Endpoint


def rotate_signing_secrets(**kwargs: Any) -> dict[str, int]:
    """core.signals.encrypted_secrets_rotate: every endpoint's signing secret (and the
    previous one, while a rotation overlaps) under the current SECRET_KEY."""
    count = 0
    with transaction.atomic():
        for endpoint in Endpoint.objects.select_for_update().only(
            "pk", "secret", "previous_secret"
        ):
            endpoint.secret = secret_rotate(endpoint.secret)
            if endpoint.previous_secret:
                endpoint.previous_secret = secret_rotate(endpoint.previous_secret)
            endpoint.save(update_fields=["secret", "previous_secret"])
            count += 1
    return {"webhook signing secrets": count}
