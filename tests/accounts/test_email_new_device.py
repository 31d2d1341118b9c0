from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import KnownDevice
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def sign_in(user, *, ua: str, ip: str, capture) -> None:
    browser = Client(HTTP_USER_AGENT=ua, REMOTE_ADDR=ip)
    with capture(execute=True):
        response = browser.post(
            "/auth/sign-in/", {"email": user.email, "password": DEFAULT_PASSWORD}
        )
    assert response.status_code == 302, response.content


def notices(mailoutbox):
    return [m for m in mailoutbox if m.subject == "New sign-in to your account"]


def test_a_new_device_gets_one_notice_and_a_known_one_none(
    user, mailoutbox, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    sign_in(user, ua=FIREFOX, ip="203.0.113.10", capture=capture)  # first ever: no notice
    assert notices(mailoutbox) == []
    sign_in(user, ua=FIREFOX, ip="203.0.113.77", capture=capture)  # same /24: known
    assert notices(mailoutbox) == []

    sign_in(user, ua=SAFARI, ip="198.51.100.4", capture=capture)  # new device
    [notice] = notices(mailoutbox)
    assert notice.to == [user.email]
    assert "Mobile Safari on iOS" in notice.body
    assert "198.51.100.4" in notice.body
    assert "/account/sessions/" in notice.body

    sign_in(user, ua=SAFARI, ip="198.51.100.200", capture=capture)  # seen now
    assert len(notices(mailoutbox)) == 1


def test_the_same_browser_on_another_network_counts_as_new(
    user, mailoutbox, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    sign_in(user, ua=FIREFOX, ip="203.0.113.10", capture=capture)
    sign_in(user, ua=FIREFOX, ip="203.0.114.10", capture=capture)
    assert len(notices(mailoutbox)) == 1
    assert KnownDevice.objects.filter(user=user).count() == 2


def test_a_failed_sign_in_records_nothing(user, mailoutbox):
    browser = Client(HTTP_USER_AGENT=SAFARI, REMOTE_ADDR="198.51.100.4")
    browser.post("/auth/sign-in/", {"email": user.email, "password": "wrong-password"})
    assert not KnownDevice.objects.filter(user=user).exists()
    assert notices(mailoutbox) == []


def test_the_notice_names_the_device_in_the_recipients_language(
    mailoutbox, django_capture_on_commit_callbacks
):
    greta = UserFactory(language="de")
    capture = django_capture_on_commit_callbacks
    sign_in(greta, ua=FIREFOX, ip="203.0.113.10", capture=capture)
    # The sign-in page itself is read in English: the email still follows Greta.
    sign_in(greta, ua=SAFARI, ip="198.51.100.4", capture=capture)
    [notice] = mailoutbox
    assert "Mobile Safari unter iOS" in notice.body
    assert "Mobile Safari on iOS" not in notice.body
    html = notice.alternatives[0][0]
    assert "Mobile Safari unter iOS" in html
