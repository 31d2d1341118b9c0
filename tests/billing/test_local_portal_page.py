"""The local portal page: its seat count is the billing page's (the seat-holder rule,
not a flat plan's quantity of 1), and what takes something away (a downgrade, the end
of the subscription) asks first, saying what is lost."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.utils import timezone

from billing.models import Account
from tests.billing.test_local_backend import act, quantity_at_provider
from tests.billing.test_views import url
from tests.core.forms import asks, asks_in, forms_in, post, sent
from tests.tenants.factories import add_member


@pytest.fixture
def on_business(
    local_billing: Any, owner_client: Any, acme: Any, django_capture_on_commit_callbacks: Any
) -> Account:
    """Acme on Business (flat) through the local checkout, three people holding a seat."""
    add_member(acme)
    add_member(acme)
    with django_capture_on_commit_callbacks(execute=True):
        checkout = owner_client.post(url(acme, "checkout/"), {"plan": "business"})
        owner_client.get(checkout.url)
    return Account.objects.get(pk=acme.account_id)


def seats_on(page: str, testid: str) -> str:
    """The text of the element with that data-testid, tags and spacing squeezed."""
    match = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</dd>', page, re.S)
    assert match, testid
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def billing_seats(page: str) -> str:
    match = re.search(r"Seats used</dt>\s*<dd[^>]*>(.*?)</dd>", page, re.S)
    assert match
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def test_a_flat_plan_shows_the_seats_in_use_as_the_billing_page_does(
    on_business: Account, owner_client: Any, acme: Any
) -> None:
    portal = owner_client.get(url(acme, "portal/local/")).content.decode()
    billing = owner_client.get(url(acme)).content.decode()

    assert quantity_at_provider(on_business) == 1  # one flat price, not one seat
    assert seats_on(portal, "portal-seats") == "3"
    assert billing_seats(billing) == "3"


def test_a_per_seat_plan_follows_members_at_the_local_provider_as_at_stripe(
    on_business: Account,
    owner_client: Any,
    acme: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    act(owner_client, acme, django_capture_on_commit_callbacks, action="change_plan", plan="pro")
    with django_capture_on_commit_callbacks(execute=True):
        add_member(acme)  # the membership signal queues the same seat sync as for Stripe

    on_business.refresh_from_db()
    assert (on_business.seats, quantity_at_provider(on_business)) == (4, 4)
    portal = owner_client.get(url(acme, "portal/local/")).content.decode()
    billing = owner_client.get(url(acme)).content.decode()
    assert seats_on(portal, "portal-seats") == "4 of 4 paid"
    assert billing_seats(billing) == "4 of 4 paid"


def test_a_downgrade_asks_first_naming_the_price_and_what_it_takes_away(
    on_business: Account, owner_client: Any, acme: Any, django_capture_on_commit_callbacks: Any
) -> None:
    page = owner_client.get(url(acme, "portal/local/")).content.decode()

    assert {
        "question": "Move to Pro now?",
        "detail": "Pro costs $12 per member / month. "
        "Pro does not include single sign-on. Pro allows up to 100 members per "
        "workspace (now unlimited) and 10\xa0GB of storage per workspace (now 100\xa0GB). Members "
        "and files over a limit are kept, but nothing more can be added until there is room. "
        "The change takes effect at once.",
        "button": "Change plan",
        "cancel": "",
        "when": ["plan", "pro"],  # asked only when Pro is the plan sent
    } in asks_in(page)


def test_an_upgrade_asks_too_saying_the_new_price(
    on_business: Account, owner_client: Any, acme: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Pro at $12 a member to Business at $299 a month was one click, no price shown."""
    act(owner_client, acme, django_capture_on_commit_callbacks, action="change_plan", plan="pro")
    page = owner_client.get(url(acme, "portal/local/")).content.decode()

    [upgrade] = [ask for ask in asks_in(page) if ask.get("when") == ["plan", "business"]]
    assert upgrade["question"] == "Move to Business now?"
    assert upgrade["detail"] == (
        "Business costs $299 / month, flat. The change takes effect at once."
    )
    # It takes nothing away: asked with the brand's button, not a red one (a walk read
    # the red "Change plan" as a warning), without JavaScript too.
    assert upgrade["tone"] == "primary"
    (form,) = [form for form in forms_in(page) if upgrade in asks(form)]
    asked = post(owner_client, url(acme, "portal/local/act/"), sent(form, plan="business"))
    assert asked.templates[0].name == "core/confirm.html"
    assert 'class="btn btn-primary">Change plan</button>' in asked.content.decode()
    assert Account.objects.get(pk=acme.account_id).plan == "pro"


def test_cancelling_asks_first_saying_until_when_and_what_is_lost(
    on_business: Account, owner_client: Any, acme: Any
) -> None:
    page = owner_client.get(url(acme, "portal/local/")).content.decode()
    day = on_business.current_period_end

    (form,) = [form for form in forms_in(page) if ("action", "cancel") in form["fields"]]
    assert asks(form) == [
        {
            "question": "Cancel the subscription at the end of the period?",
            "detail": f"Business stays until {day.day} {day:%B %Y}; then the Free plan "  # type: ignore[union-attr]
            "applies, which does not include teams, custom roles, full audit history, API keys "
            "and single sign-on. Free allows up to 3 members per workspace (now unlimited) and "
            "100\xa0MB of storage per workspace (now 100\xa0GB). Members and files over a limit "
            "are kept, but nothing more can be added until there is room. Until then, you can keep "
            "the subscription.",
            "button": "Cancel at the end of the period",
            "cancel": "Keep the subscription",
        }
    ]


def test_the_portals_warnings_are_whole_sentences_in_the_readers_language(
    on_business: Account, owner_client: Any, acme: Any, owner: Any
) -> None:
    """The walk read "…nicht enthält. Until then, you can keep the subscription." in the
    German dialog: the last sentence was marked inside an f-string, never extracted."""
    owner.language = "de"
    owner.save(update_fields=["language"])

    page = html.unescape(owner_client.get(url(acme, "portal/local/")).content.decode())

    assert "Bis dahin können Sie das Abonnement behalten." in page
    assert "Die Änderung gilt sofort." in page
    assert "Until then" not in page and "takes effect at once" not in page


def test_an_ended_subscription_says_the_day_it_ended_not_the_periods_end_ahead(
    on_business: Account, owner_client: Any, acme: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The walk read "Ended on" a day a month ahead: "The period ends" cancels at once,
    while the period's end is still ahead on the clock."""
    act(owner_client, acme, django_capture_on_commit_callbacks, action="cancel")
    act(owner_client, acme, django_capture_on_commit_callbacks, action="renew")

    page = owner_client.get(url(acme, "portal/local/")).content.decode()

    today = timezone.localdate()
    assert "Ended on" in page
    assert seats_on(page, "portal-period-end") == f"{today.day} {today:%B}"
    ahead = on_business.current_period_end
    assert ahead is not None and ahead.date() > today


def test_the_features_lost_read_inside_the_german_sentence(
    on_business: Account, owner_client: Any, acme: Any, owner: Any
) -> None:
    """The walk read "…der Tarif Free, der Teams, Benutzerdefinierte Rollen, Vollständiger
    Audit-Verlauf … nicht enthält": the list's titles, capitalised and in the nominative."""
    owner.language = "de"
    owner.save(update_fields=["language"])

    page = html.unescape(owner_client.get(url(acme, "portal/local/")).content.decode())

    assert (
        "der Teams, benutzerdefinierte Rollen, vollständigen Audit-Verlauf, API-Schlüssel "
        "und Single Sign-On nicht enthält" in page
    )
    assert "Benutzerdefinierte Rollen, Vollständiger" not in page
