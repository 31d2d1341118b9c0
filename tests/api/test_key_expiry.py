"""A week before a used API key expires, the organisation's owners and whoever made the
key are emailed, and once more the day before (the daily `api_keys_expiring` job); the
keys page marks it: an expired key fails whatever uses it with a 401, often where
nobody looks."""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format

from api.jobs import api_keys_expiring
from api.models import ApiKey
from api.services import api_key_revoke
from core.permissions import API_KEYS_MANAGE
from scheduler.schedule import job_parse
from tenants.models import Membership
from tenants.services import tenant_delete
from tests.accounts.factories import UserFactory
from tests.api.conftest import make_key
from tests.tenants.factories import OrgFactory, add_member, make_role

pytestmark = pytest.mark.django_db


def _use(raw: str) -> Any:
    """One request with the key, as an integration sends it."""
    answer = Client().get("/api/v1/members", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert answer.status_code == 200, answer.content
    return answer


def _daily(django_capture_on_commit_callbacks: Any) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        return api_keys_expiring()


@pytest.fixture
def maker(acme: Any) -> Any:
    """An admin-like member who may make keys (not an owner)."""
    role = make_role(acme, "Integrations", [API_KEYS_MANAGE])
    return add_member(acme, role=role).user


def test_a_week_before_a_used_key_expires_its_owners_and_maker_are_told(
    acme: Any,
    owner: Any,
    maker: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    expires = timezone.now() + timedelta(days=30)
    raw = make_key(acme, maker, [], name="Deploy", expires_at=expires)
    _use(raw)
    add_member(acme, role_key="admin")  # neither an owner nor the maker: not told

    with time_machine.travel(expires - timedelta(days=8)):
        assert _daily(django_capture_on_commit_callbacks).startswith("Told 0 organisation(s)")
    assert mailoutbox == []
    with time_machine.travel(expires - timedelta(days=6)):
        report = _daily(django_capture_on_commit_callbacks)
    assert report.startswith("Told 1 organisation(s)")
    assert f"Acme (#{acme.pk}): Deploy expires {expires:%Y-%m-%d}" in report
    [notice] = mailoutbox
    assert sorted(notice.to) == sorted([owner.email, maker.email])
    assert notice.subject == f"The API key “Deploy” of Acme expires on {expires:%B %-d, %Y}"
    key = ApiKey.objects.get()
    assert key.prefix in notice.body and '"401 Unauthorized"' in notice.body
    assert f"/t/{acme.slug}/settings/api-keys/" in notice.body
    assert "a week before it expires and again the day\nbefore." in notice.body

    with time_machine.travel(expires - timedelta(days=2)):  # the next days: not again
        assert _daily(django_capture_on_commit_callbacks).startswith("Told 0 organisation(s)")
    assert len(mailoutbox) == 1


def test_the_day_before_a_key_still_live_they_are_told_once_more(
    acme: Any, owner: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    expires = timezone.now() + timedelta(days=30)
    _use(make_key(acme, owner, [], name="Deploy", expires_at=expires))
    for days_left in (6, 5, 2):
        with time_machine.travel(expires - timedelta(days=days_left)):
            _daily(django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1

    with time_machine.travel(expires - timedelta(hours=20)):
        report = _daily(django_capture_on_commit_callbacks)
    with time_machine.travel(expires - timedelta(hours=2)):  # later that day: not again
        _daily(django_capture_on_commit_callbacks)
    assert report.startswith("Told 1 organisation(s)")
    assert [m.subject for m in mailoutbox] == [
        f"The API key “Deploy” of Acme expires on {expires:%B %-d, %Y}"
    ] * 2


def test_a_key_replaced_after_the_first_notice_gets_no_second(
    acme: Any, owner: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    expires = timezone.now() + timedelta(days=30)
    _use(make_key(acme, owner, [], name="Deploy", expires_at=expires))
    with time_machine.travel(expires - timedelta(days=6)):
        _daily(django_capture_on_commit_callbacks)
        api_key_revoke(tenant=acme, key=ApiKey.objects.get(), acting_user=owner, acting_role=None)
    with time_machine.travel(expires - timedelta(hours=20)):
        assert _daily(django_capture_on_commit_callbacks).startswith("Told 0 organisation(s)")
    assert len(mailoutbox) == 1


def test_a_key_made_days_before_its_expiry_is_told_at_once_then_the_day_before(
    acme: Any, owner: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    soon = timezone.now() + timedelta(days=3)
    _use(make_key(acme, owner, [], name="Short", expires_at=soon))
    very_soon = timezone.now() + timedelta(hours=12)
    _use(make_key(acme, owner, [], name="Shorter", expires_at=very_soon))

    _daily(django_capture_on_commit_callbacks)  # both: within a week
    with time_machine.travel(very_soon - timedelta(hours=1)):  # told within its last day
        _daily(django_capture_on_commit_callbacks)
    with time_machine.travel(soon - timedelta(hours=20)):  # Short's last day
        _daily(django_capture_on_commit_callbacks)
    subjects = sorted(m.subject.split("”")[0] for m in mailoutbox)
    assert subjects == ["The API key “Short", "The API key “Short", "The API key “Shorter"]


def test_keys_nobody_depends_on_are_left_alone(
    acme: Any,
    owner: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    globex_owner = UserFactory()
    globex = OrgFactory(owner=globex_owner, name="Globex")
    expires = timezone.now() + timedelta(days=5)
    make_key(acme, owner, [], name="Never used", expires_at=expires)
    revoked = make_key(acme, owner, [], name="Revoked", expires_at=expires)
    _use(revoked)
    api_key_revoke(
        tenant=acme, key=ApiKey.objects.get(name="Revoked"), acting_user=owner, acting_role=None
    )
    make_key(acme, owner, [], name="Forever")  # no expiry
    gone = make_key(globex, globex_owner, [], name="Gone", expires_at=expires)
    _use(gone)
    tenant_delete(tenant=globex, acting_user=globex_owner)

    assert _daily(django_capture_on_commit_callbacks).startswith("Told 0 organisation(s)")
    assert mailoutbox == []


def test_a_key_whose_maker_was_suspended_is_not_announced_it_stopped_already(
    acme: Any,
    owner: Any,
    maker: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Owners were told "whatever uses it gets 401 from then on" of a key that got 401
    already, and that the keys page shows as stopped, not expiring."""
    raw = make_key(acme, maker, [], expires_at=timezone.now() + timedelta(days=3))
    _use(raw)
    Membership.objects.filter(tenant=acme, user=maker).update(suspended_at=timezone.now())

    assert _daily(django_capture_on_commit_callbacks).startswith("Told 0 organisation(s)")
    assert mailoutbox == []

    Membership.objects.filter(tenant=acme, user=maker).update(suspended_at=None)  # back
    _daily(django_capture_on_commit_callbacks)
    [notice] = mailoutbox
    assert sorted(notice.to) == sorted([owner.email, maker.email])


def test_a_key_left_behind_by_a_maker_who_came_back_is_not_announced(
    acme: Any,
    owner: Any,
    maker: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The key stopped when they left and stays stopped (api.selectors): nobody is told
    it will stop."""
    from tenants.services import membership_remove

    raw = make_key(acme, maker, [], expires_at=timezone.now() + timedelta(days=3))
    _use(raw)
    membership = Membership.objects.get(tenant=acme, user=maker)
    membership_remove(tenant=acme, membership=membership, acting_user=owner)
    add_member(acme, user=maker)

    assert _daily(django_capture_on_commit_callbacks).startswith("Told 0 organisation(s)")
    assert mailoutbox == []


def test_each_reader_gets_it_in_their_language(
    acme: Any,
    owner: Any,
    maker: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    type(maker).objects.filter(pk=maker.pk).update(language="de")
    expires = timezone.now() + timedelta(days=3)
    _use(make_key(acme, maker, [], name="Deploy", expires_at=expires))

    _daily(django_capture_on_commit_callbacks)

    by_recipient = {tuple(m.to): m for m in mailoutbox}
    with translation.override("de"):
        am = date_format(expires, "j. F Y")
    assert by_recipient[(maker.email,)].subject == (
        f"Der API-Schlüssel „Deploy“ von Acme läuft am {am} ab"
    )
    assert by_recipient[(owner.email,)].subject.startswith("The API key “Deploy”")


def test_the_keys_page_marks_a_key_that_expires_within_a_week(
    acme: Any, owner: Any, owner_client: Any
) -> None:
    make_key(acme, owner, name="Soon", expires_at=timezone.now() + timedelta(days=6))
    make_key(acme, owner, name="Later", expires_at=timezone.now() + timedelta(days=9))

    html = owner_client.get(f"/t/{acme.slug}/settings/api-keys/").content.decode()

    badge = 'data-testid="key-expires-soon"'
    assert html.count(badge) == 1
    later_row = html[html.index(">Later<") : html.index(">Soon<")]  # newest first
    assert badge not in later_row and badge in html[html.index(">Soon<") :]


def test_the_job_is_scheduled_daily(settings: Any) -> None:
    job = job_parse("api_keys_expiring", settings.SCHEDULE["api_keys_expiring"])
    assert job.task == "api.jobs.api_keys_expiring" and job.at is not None


def test_every_answer_says_when_its_key_expires(acme: Any, owner: Any) -> None:
    """What the integration's own logs can show weeks ahead (GitHub does the same)."""
    expires = (timezone.now() + timedelta(days=40)).replace(microsecond=0)
    answer = _use(make_key(acme, owner, [], name="Deploy", expires_at=expires))
    assert answer["API-Key-Expires"] == expires.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    assert "API-Key-Expires" not in _use(make_key(acme, owner, [], name="Forever"))
