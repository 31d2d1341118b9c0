"""The billing page, Upgrade (Checkout) and Manage billing (Portal), return pages."""

from __future__ import annotations

import copy
import re
from typing import Any

from django.contrib.messages import get_messages

from billing.models import Account
from tenants.invitations import invitation_create
from tenants.models import Role
from tenants.selectors import tenant_seats_taken
from tests.accounts.factories import UserFactory
from tests.billing.conftest import PRO_PRICE
from tests.billing.stripe_transport import recorded
from tests.tenants.factories import OrgFactory, add_member
from tests.tenants.test_overview import upload
from uploads.selectors import upload_storage_used

CHECKOUT_URL = (
    "https://checkout.stripe.com/c/pay/cs_test_a1B2c3D4e5F6g7H8#fidkdWxOYHwnPyd1blpxYHZxWjA0"
)


def url(acme: Any, name: str = "") -> str:
    return f"/t/{acme.slug}/billing/{name}"


def flash(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- No Stripe keys -----------------------------------------------------------


def test_without_keys_the_page_says_billing_is_not_set_up_yet(
    no_billing: Any, owner_client: Any, acme: Any
) -> None:
    response = owner_client.get(url(acme))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Billing is not set up yet" in page
    assert "STRIPE_" not in page and "BILLING_FREE" not in page  # setting names: staff only
    assert "Free" in page
    assert "Upgrade to" not in page
    assert "Manage billing" not in page


def test_without_keys_staff_are_told_which_settings_turn_billing_on(
    no_billing: Any, owner_client: Any, owner: Any, acme: Any
) -> None:
    owner.is_staff = True
    owner.save(update_fields=["is_staff"])

    page = owner_client.get(url(acme)).content.decode()

    assert "Billing is not set up yet" in page
    assert "STRIPE_SECRET_KEY" in page and "STRIPE_WEBHOOK_SECRET" in page
    # Meanwhile the Free plan's caps bind every workspace: where to raise them.
    assert "BILLING_FREE_MAX_MEMBERS" in page and "BILLING_FREE_MAX_STORAGE_MB" in page


def test_without_keys_a_paid_subscription_row_still_means_free(
    no_billing: Any, owner_client: Any, acme: Any
) -> None:
    Account.objects.filter(pk=acme.account_id).update(
        plan="pro", status="active", stripe_subscription_id="sub_1"
    )

    response = owner_client.get(url(acme))

    assert response.context["billing"].plan.key == "free"


def test_without_keys_checkout_and_portal_explain_instead_of_failing(
    no_billing: Any, owner_client: Any, acme: Any
) -> None:
    checkout = owner_client.post(url(acme, "checkout/"), {"plan": "pro"})
    portal = owner_client.post(url(acme, "portal/"))

    assert checkout.status_code == 302 and checkout.url == url(acme)
    assert flash(checkout) == ["Billing is not set up yet, so plans can't be changed."]
    assert portal.status_code == 302
    assert flash(portal)[-1] == "Billing is not set up yet, so plans can't be changed."


# --- Access -----------------------------------------------------------------------


def test_a_member_without_billing_manage_is_refused(
    no_billing: Any, client: Any, acme: Any
) -> None:
    member = add_member(acme)
    client.force_login(member.user)

    assert client.get(url(acme)).status_code == 403
    assert client.post(url(acme, "checkout/"), {"plan": "pro"}).status_code == 403


def test_a_billing_admin_may_manage_billing(no_billing: Any, client: Any, acme: Any) -> None:
    admin = add_member(acme, role_key="billing_admin")
    client.force_login(admin.user)

    assert client.get(url(acme)).status_code == 200


def test_another_tenants_billing_page_is_not_found(no_billing: Any, auth_client: Any) -> None:
    stranger_org = OrgFactory(owner=UserFactory())

    assert auth_client.get(url(stranger_org)).status_code == 404
    assert auth_client.post(url(stranger_org, "checkout/"), {"plan": "pro"}).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client: Any, acme: Any) -> None:
    response = client.get(url(acme))

    assert response.status_code == 302
    assert "sign-in" in response.url or "login" in response.url


# --- With Stripe ----------------------------------------------------------------


def test_the_page_shows_plan_seats_contacts_and_upgrade_options(
    stripe_http: Any, owner_client: Any, acme: Any, owner: Any
) -> None:
    add_member(acme)

    response = owner_client.get(url(acme))

    overview = response.context["billing"]
    assert overview.enabled and overview.plan.key == "free"
    assert overview.seats_used == 2
    assert [c.user for c in overview.contacts] == [owner]
    assert [offer.plan.key for offer in overview.upgrade_offers] == ["pro", "business"]
    page = response.content.decode()
    assert "Upgrade to Pro" in page and owner.email in page


def test_upgrade_creates_the_customer_and_redirects_to_checkout(
    stripe_checkout: Any, owner_client: Any, acme: Any, owner: Any
) -> None:
    add_member(acme)

    response = owner_client.post(url(acme, "checkout/"), {"plan": "pro"})

    assert response.status_code == 303
    assert response.url == CHECKOUT_URL
    (customer,) = stripe_checkout.calls("post", "/v1/customers")
    assert customer.params["email"] == owner.email
    assert customer.params["metadata[account_id]"] == str(acme.account_id)
    assert customer.headers["Idempotency-Key"] == f"pacetrack-customer-account-{acme.account_id}"
    (session,) = stripe_checkout.calls("post", "/v1/checkout/sessions")
    assert session.params["customer"] == "cus_QX1a2b3c4d5e6f"
    assert session.params["mode"] == "subscription"
    assert session.params["line_items[0][price]"] == PRO_PRICE
    assert session.params["line_items[0][quantity]"] == "2"  # per seat: both members
    assert session.params["success_url"].endswith("/success/?session_id={CHECKOUT_SESSION_ID}")
    assert session.params["subscription_data[metadata][account_id]"] == str(acme.account_id)
    assert Account.objects.get(pk=acme.account_id).stripe_customer_id == "cus_QX1a2b3c4d5e6f"


def test_the_customer_gets_the_billing_contacts_email_not_the_clickers(
    stripe_checkout: Any, client: Any, acme: Any, owner: Any
) -> None:
    billing_admin = add_member(acme, role_key="billing_admin")
    client.force_login(billing_admin.user)

    client.post(url(acme, "checkout/"), {"plan": "pro"})

    (customer,) = stripe_checkout.calls("post", "/v1/customers")
    assert customer.params["email"] == owner.email


def test_a_double_click_creates_one_customer_and_reuses_the_idempotency_key(
    stripe_checkout: Any, owner_client: Any, acme: Any
) -> None:
    first = owner_client.post(url(acme, "checkout/"), {"plan": "pro"})
    second = owner_client.post(url(acme, "checkout/"), {"plan": "pro"})

    assert first.url == second.url
    assert len(stripe_checkout.calls("post", "/v1/customers")) == 1
    keys = [
        r.headers["Idempotency-Key"] for r in stripe_checkout.calls("post", "/v1/checkout/sessions")
    ]
    assert len(keys) == 2 and keys[0] == keys[1]
    assert keys[0].startswith(f"pacetrack-checkout-{acme.account_id}-free-to-pro-")


def test_a_different_plan_gets_a_different_idempotency_key(
    stripe_checkout: Any, owner_client: Any, acme: Any
) -> None:
    owner_client.post(url(acme, "checkout/"), {"plan": "pro"})
    owner_client.post(url(acme, "checkout/"), {"plan": "business"})

    keys = [
        r.headers["Idempotency-Key"] for r in stripe_checkout.calls("post", "/v1/checkout/sessions")
    ]
    assert keys[0] != keys[1]
    assert "free-to-business" in keys[1]


def test_an_unknown_or_free_plan_is_refused_with_a_message(
    stripe_checkout: Any, owner_client: Any, acme: Any
) -> None:
    unknown = owner_client.post(url(acme, "checkout/"), {"plan": "platinum"})
    free = owner_client.post(url(acme, "checkout/"), {"plan": "free"})

    assert flash(unknown) == ["There is no plan called “platinum”."]
    assert flash(free)[-1] == "The Free plan cannot be bought."
    assert stripe_checkout.requests == []


def test_an_account_with_a_live_subscription_is_sent_to_manage_billing(
    stripe_checkout: Any, owner_client: Any, acme: Any
) -> None:
    Account.objects.filter(pk=acme.account_id).update(
        plan="pro", status="active", stripe_subscription_id="sub_1", stripe_customer_id="cus_1"
    )

    response = owner_client.post(url(acme, "checkout/"), {"plan": "business"})

    assert "Use “Manage billing” to change plan." in flash(response)[0]
    assert stripe_checkout.requests == []


def test_stripe_refusing_checkout_shows_a_message_without_stripes_words(
    stripe_http: Any, owner_client: Any, acme: Any, caplog: Any
) -> None:
    stripe_http.add("post", "/v1/customers", recorded("customer"))
    stripe_http.add(
        "post",
        "/v1/checkout/sessions",
        {"error": {"type": "invalid_request_error", "message": "No such price: 'price_pro_test'"}},
        status=400,
    )

    response = owner_client.post(url(acme, "checkout/"), {"plan": "pro"})

    assert response.status_code == 302
    assert flash(response) == [
        "Our payment provider could not process this request. Nothing was charged or "
        "changed; please try again later, and contact support if it keeps happening."
    ]
    assert "No such price: 'price_pro_test'" in caplog.text  # the detail is in the log
    assert len(stripe_http.calls("post", "/v1/checkout/sessions")) == 1  # a 400 is final


def test_stripe_rate_limiting_the_portal_says_to_try_again(
    stripe_http: Any, owner_client: Any, acme: Any
) -> None:
    Account.objects.filter(pk=acme.account_id).update(stripe_customer_id="cus_QX1a2b3c4d5e6f")
    stripe_http.add(
        "post",
        "/v1/billing_portal/sessions",
        {"error": {"type": "rate_limit_error", "message": "Too many requests, acct_1QXa"}},
        status=429,
    )

    response = owner_client.post(url(acme, "portal/"))

    assert flash(response) == [
        "Our payment provider is busy right now. Nothing was charged or changed; "
        "please try again in a few minutes."
    ]


def test_a_hanging_stripe_times_out_is_retried_twice_and_never_shows_raw_errors(
    billing_settings: Any, owner_client: Any, acme: Any, monkeypatch: Any, caplog: Any
) -> None:
    """The library's real transport, with the network cut below it: every attempt gets
    our timeout, there are 1 + 2 attempts, and the person sees a sentence, not
    "HTTPSConnectionPool(...)"."""
    import requests

    attempts: list[Any] = []

    def read_timeout(session: Any, method: str, url: str, **kwargs: Any) -> Any:
        attempts.append(kwargs["timeout"])
        raise requests.exceptions.ReadTimeout(
            "HTTPSConnectionPool(host='api.stripe.com', port=443): Read timed out. "
            "(read timeout=10)"
        )

    monkeypatch.setattr(requests.Session, "request", read_timeout)

    response = owner_client.post(url(acme, "checkout/"), {"plan": "pro"})
    page = owner_client.get(response.url).content.decode()

    assert attempts == [10.0, 10.0, 10.0]
    assert flash(response) == [
        "We could not reach our payment provider. Nothing was charged or changed; "
        "please try again in a few minutes."
    ]
    assert "HTTPSConnectionPool" not in page
    assert "HTTPSConnectionPool" in caplog.text


def test_manage_billing_opens_the_portal_for_the_customer(
    stripe_http: Any, owner_client: Any, acme: Any
) -> None:
    Account.objects.filter(pk=acme.account_id).update(stripe_customer_id="cus_QX1a2b3c4d5e6f")
    stripe_http.add("post", "/v1/billing_portal/sessions", recorded("portal_session"))

    response = owner_client.post(url(acme, "portal/"))

    assert response.status_code == 303
    assert response.url == "https://billing.stripe.com/p/session/test_YWNjdF8xUVhh"
    (call,) = stripe_http.calls("post", "/v1/billing_portal/sessions")
    assert call.params["customer"] == "cus_QX1a2b3c4d5e6f"
    assert call.params["return_url"] == f"http://testserver{url(acme)}"


def test_manage_billing_before_any_purchase_explains(
    stripe_http: Any, owner_client: Any, acme: Any
) -> None:
    response = owner_client.post(url(acme, "portal/"))

    assert flash(response) == ["There are no billing details yet: choose a plan first."]


def test_the_success_page_applies_the_completed_checkout(
    stripe_http: Any, owner_client: Any, acme: Any
) -> None:
    Account.objects.filter(pk=acme.account_id).update(stripe_customer_id="cus_QX1a2b3c4d5e6f")
    stripe_http.add(
        "get",
        "/v1/checkout/sessions/cs_test_a1B2c3D4e5F6g7H8",
        recorded("checkout_session_complete"),
    )
    stripe_http.add("get", "/v1/subscriptions/sub_1QX9z8y7x6w5v4", recorded("subscription"))

    response = owner_client.get(url(acme, "success/?session_id=cs_test_a1B2c3D4e5F6g7H8"))

    assert response.status_code == 200
    assert "is now on the <strong>Pro</strong> plan" in response.content.decode()
    # Stripe emails its receipt to one address, not "your billing contacts".
    assert "receipt" not in response.content.decode()
    account = Account.objects.get(pk=acme.account_id)
    assert (account.plan, account.status) == ("pro", "active")


def test_the_success_page_refuses_another_accounts_session(
    stripe_http: Any, owner_client: Any, acme: Any
) -> None:
    Account.objects.filter(pk=acme.account_id).update(stripe_customer_id="cus_mine")
    stripe_http.add(
        "get",
        "/v1/checkout/sessions/cs_test_a1B2c3D4e5F6g7H8",
        recorded("checkout_session_complete"),
    )

    response = owner_client.get(url(acme, "success/?session_id=cs_test_a1B2c3D4e5F6g7H8"))

    assert flash(response) == ["That checkout belongs to another account."]
    assert Account.objects.get(pk=acme.account_id).plan == "free"


def test_the_cancel_page_says_nothing_was_charged(
    no_billing: Any, owner_client: Any, acme: Any
) -> None:
    response = owner_client.get(url(acme, "cancel/"))

    assert response.status_code == 200
    assert "Nothing was charged" in response.content.decode()


# --- Local backend (demo mode) --------------------------------------------------------


def test_with_the_local_backend_upgrading_completes_in_process(
    local_billing: Any, owner_client: Any, acme: Any
) -> None:
    checkout = owner_client.post(url(acme, "checkout/"), {"plan": "business"})
    success = owner_client.get(checkout.url)

    assert "is now on the <strong>Business</strong> plan" in success.content.decode()
    account = Account.objects.get(pk=acme.account_id)
    assert (account.plan, account.status, account.seats) == ("business", "active", 1)


# --- Past-due banner ----------------------------------------------------------------


def test_owners_see_the_past_due_banner_and_members_do_not(
    billing_settings: Any, client: Any, acme: Any, owner: Any
) -> None:
    Account.objects.filter(pk=acme.account_id).update(
        plan="pro", status="past_due", stripe_subscription_id="sub_1"
    )
    member = add_member(acme)

    client.force_login(owner)
    owner_page = client.get(f"/t/{acme.slug}/").content.decode()
    client.force_login(member.user)
    member_page = client.get(f"/t/{acme.slug}/").content.decode()

    assert "Payment failed." in owner_page
    assert "Payment failed." not in member_page


def test_the_banner_costs_no_extra_query(
    billing_settings: Any, owner_client: Any, acme: Any, django_assert_num_queries: Any
) -> None:
    owner_client.get(f"/t/{acme.slug}/")  # warm up (session activity, caches)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as healthy:
        owner_client.get(f"/t/{acme.slug}/")
    Account.objects.filter(pk=acme.account_id).update(
        plan="pro", status="past_due", stripe_subscription_id="sub_1"
    )
    with CaptureQueriesContext(connection) as past_due:
        response = owner_client.get(f"/t/{acme.slug}/")

    assert "Payment failed." in response.content.decode()
    assert len(past_due) == len(healthy)
    assert not any(
        "billing_account" in q["sql"] and "tenants_membership" not in q["sql"]
        for q in past_due.captured_queries
    )


def test_a_workspace_over_its_plans_member_cap_is_told_so_on_its_billing_page(
    local_billing: Any, owner_client: Any, acme: Any
) -> None:
    """A plan that ended leaves six people on a Free plan of five: the page showed
    "6 (limit 5 per workspace)" and nothing about what that means."""
    plans = copy.deepcopy(local_billing.BILLING_PLANS)
    plans["free"]["max_members"] = 2
    local_billing.BILLING_PLANS = plans
    add_member(acme)

    at_cap = owner_client.get(url(acme)).content.decode()
    add_member(acme)
    over = owner_client.get(url(acme)).content.decode()

    assert 'data-testid="over-member-cap"' not in at_cap
    assert 'data-testid="over-member-cap"' in over
    assert "Acme has 3 members, more than the Free plan's 2." in over


def test_the_billing_page_says_how_much_is_stored_and_when_it_is_over_the_cap(
    local_billing: Any, owner_client: Any, acme: Any, owner: Any
) -> None:
    """The page showed the storage cap alone ("100 MB"): deciding on a plan needs the
    use beside it, counted as the cap counts it (every upload, avatars and logo too)."""
    plans = copy.deepcopy(local_billing.BILLING_PLANS)
    plans["free"]["max_storage_mb"] = 1
    local_billing.BILLING_PLANS = plans
    upload(acme, owner, "a.txt", size=700 * 1024)
    under = owner_client.get(url(acme)).content.decode()

    plans["free"]["max_storage_mb"] = 2
    upload(acme, owner, "b.txt", size=800 * 1024)
    plans["free"]["max_storage_mb"] = 1  # a plan that ended, say
    over = owner_client.get(url(acme)).content.decode()

    assert upload_storage_used(tenant=acme) == 1500 * 1024
    assert re.search(r'data-testid="billing-storage">\s*700\.0\xa0KB of 1\xa0MB\s*<', under)
    assert re.search(r'data-testid="billing-storage">\s*1\.5\xa0MB of 1\xa0MB\s*<', over)
    assert 'data-testid="over-storage-cap"' not in under
    assert 'data-testid="over-storage-cap"' in over
    assert "Acme stores 1.5\xa0MB, more than the Free plan's 1\xa0MB. Every file is kept" in over


def test_the_member_cap_counts_invitations_as_the_overview_does(
    local_billing: Any, owner_client: Any, acme: Any, owner: Any
) -> None:
    """A walk found "Seats used 3 (limit 5 per workspace, pending invitations included)"
    on this page while the overview said "5 of 5 (2 invitations) · Limit reached": the
    seats billed and the cap are two figures, each said as what it is."""
    plans = copy.deepcopy(local_billing.BILLING_PLANS)
    plans["free"]["max_members"] = 5
    local_billing.BILLING_PLANS = plans
    add_member(acme)
    add_member(acme)
    for who in ("ana", "ben"):
        invitation_create(
            tenant=acme,
            email=f"{who}@example.org",
            role=Role.objects.get(tenant=acme, key="member"),
            acting_user=owner,
        )

    page = owner_client.get(url(acme)).content.decode()
    overview = owner_client.get(f"/t/{acme.slug}/").content.decode()

    cap = re.search(r'data-testid="billing-member-cap">(.*?)</dd>', page, re.S)
    assert cap is not None
    assert " ".join(re.sub(r"<[^>]+>", " ", cap[1]).split()) == (
        "5 of 5 (including 2 invitations) Limit reached."
    )
    assert tenant_seats_taken(tenant=acme) == 5
    assert "pending invitations included" not in page
    assert "5 of 5" in overview and "(including 2 invitations)" in overview
