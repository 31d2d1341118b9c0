"""A German or Arabic owner of a Stripe-billed organisation whose payment failed and
whose subscription ends at the period's end: the billing page with its invoices, the
"payment failed" banner on every page and the other pages show none of the English
text the catalogue translates (the crawl of tests/config/test_pages_in_reader_language.py,
Stripe's transport answering with recorded responses)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from billing.models import Account
from tests.billing.factories import subscribe
from tests.billing.stripe_transport import RecordedStripeHTTPClient, recorded
from tests.config.test_pages_in_reader_language import (
    english_shown,
    reader_in,
    translated_english,
)
from tests.config.urlcrawl import every_url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["de", "ar"])
def test_a_failed_payment_and_a_cancelled_plan_are_said_in_the_readers_language(
    language: str, stripe_http: RecordedStripeHTTPClient, acme: Any, owner: Any
) -> None:
    stripe_http.add("get", "/v1/invoices", recorded("invoice_list"))
    subscribe(acme, "pro", status=Account.Status.PAST_DUE)
    Account.objects.filter(pk=acme.account_id).update(
        cancel_at_period_end=True, current_period_end=timezone.now() + timedelta(days=12)
    )
    reader = reader_in(language, owner)

    billing = reader.get(f"/t/{acme.slug}/billing/").content.decode()
    assert "A1B2C3D4-0002" in billing  # the invoices, which the crawl reads
    with translation.override(language):
        fix, ends = gettext("Fix billing"), gettext("Ends on")
    dashboard = reader.get(f"/t/{acme.slug}/").content.decode()
    assert fix in dashboard and ends in billing  # the banner, the plan's end
    assert fix not in billing  # there it led back to the same page
    english = translated_english(language) - {acme.name}
    crawled, found = english_shown(reader, every_url(tenant_slug=acme.slug), english)
    assert crawled > 20
    assert found == {}
