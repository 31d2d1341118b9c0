"""Each person reads the app, and their email, in their language and time zone (issue 21).

A signed-in person's stored language beats the browser's Accept-Language; a visitor
gets the browser's (or the footer picker's cookie); dates are in the person's zone;
emails are written in the recipient's language and zone, or in the sender's for an
address without an account.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.template import Context, Template
from django.utils import timezone, translation

from accounts.mail import email_enqueue
from accounts.middleware import UserLocaleMiddleware
from accounts.models import EmailDelivery, PendingSignup, User, locale_or_default
from accounts.services import user_locale_set
from core.models import AuditEvent
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 12, 15, 30, tzinfo=dt.UTC)


def _html(response: Any) -> str:
    return response.content.decode()


# --- Which language a page is in -----------------------------------------------------


def test_the_second_step_of_a_sign_in_is_in_the_persons_language(client: Any) -> None:
    """Once the password is right the person is known: their Arabic, not the
    browser's English, from the code page on (it was the browser's until signed in)."""
    from tests.mfa.helpers import enable_totp

    person = UserFactory(language="ar")
    enable_totp(person)
    client.post(
        "/auth/sign-in/",
        {"email": person.email, "password": DEFAULT_PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    page = client.get("/auth/sign-in/verify/", HTTP_ACCEPT_LANGUAGE="en")

    assert page.status_code == 200
    assert '<html lang="ar" dir="rtl"' in _html(page)
    assert page["Content-Language"] == "ar"


def test_a_visitor_gets_the_browsers_language(client: Any) -> None:
    page = client.get("/auth/sign-in/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.5")
    assert '<html lang="de" dir="ltr"' in _html(page)
    assert page["Content-Language"] == "de"


def test_a_visitor_reading_arabic_gets_a_right_to_left_page(client: Any) -> None:
    page = client.get("/auth/sign-in/", HTTP_ACCEPT_LANGUAGE="ar")
    assert '<html lang="ar" dir="rtl"' in _html(page)
    assert "انتقل إلى المحتوى" in _html(page)  # "Skip to content"


def test_a_language_we_dont_have_falls_back_to_english(client: Any) -> None:
    page = client.get("/auth/sign-in/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr")
    assert '<html lang="en" dir="ltr"' in _html(page)


def test_the_signed_out_picker_beats_the_browser(client: Any) -> None:
    client.post("/i18n/setlang/", {"language": "ar", "next": "/auth/sign-in/"})
    page = client.get("/auth/sign-in/", HTTP_ACCEPT_LANGUAGE="de")
    assert '<html lang="ar" dir="rtl"' in _html(page)


@pytest.mark.parametrize("language", ["en", "de", "ar"])
def test_the_signed_out_picker_names_each_language_in_itself(client: Any, language: str) -> None:
    """In Arabic it offered "الإنجليزيّة" (Django translates the names it hands out):
    someone who landed in Arabic by mistake could not find English."""
    page = _html(client.get("/auth/sign-in/", HTTP_ACCEPT_LANGUAGE=language))

    picker = page.split('id="footer-language"')[1].split("</select>")[0]
    names = re.findall(r'<option value="(\w+)" lang="\w+"(?: selected)?>([^<]+)</option>', picker)
    assert names == [("en", "English"), ("de", "Deutsch"), ("ar", "العربية")]


def test_the_persons_language_beats_the_browsers(client: Any) -> None:
    client.force_login(UserFactory(language="de"))
    page = client.get("/account/", HTTP_ACCEPT_LANGUAGE="ar")
    assert '<html lang="de" dir="ltr"' in _html(page)
    assert "Sprache und Zeitzone" in _html(page)
    assert page["Content-Language"] == "de"


def test_without_a_stored_language_the_browser_decides(client: Any) -> None:
    client.force_login(UserFactory(language=""))
    page = client.get("/account/", HTTP_ACCEPT_LANGUAGE="ar")
    assert '<html lang="ar" dir="rtl"' in _html(page)


def test_the_middleware_reads_the_user_it_already_has(
    rf: Any, django_assert_num_queries: Any
) -> None:
    """No query of its own: the user came with the session row (sessions_app)."""
    person = UserFactory(language="ar", time_zone="Asia/Tokyo")
    request = rf.get("/", HTTP_COOKIE="pacetrack-session=x")
    request.COOKIES = {"pacetrack-session": "x", "__Host-pacetrack-session": "x"}
    request.user = person
    seen: dict[str, str] = {}

    def view(request: Any) -> HttpResponse:
        seen["language"] = translation.get_language()
        seen["zone"] = timezone.get_current_timezone_name()
        return HttpResponse()

    with django_assert_num_queries(0):
        UserLocaleMiddleware(view)(request)
    assert seen == {"language": "ar", "zone": "Asia/Tokyo"}
    # The zone is per thread: the next request on this worker starts from the default.
    assert timezone.get_current_timezone_name() == "UTC"


def test_a_check_refuses_the_middleware_above_what_it_needs(settings: Any) -> None:
    from accounts.checks import check_user_locale_middleware

    assert check_user_locale_middleware() == []
    middleware = [m for m in settings.MIDDLEWARE if m != "accounts.middleware.UserLocaleMiddleware"]
    settings.MIDDLEWARE = ["accounts.middleware.UserLocaleMiddleware", *middleware]
    assert [error.id for error in check_user_locale_middleware()] == [
        "accounts.E001",
        "accounts.E001",
    ]


def test_the_check_takes_djangos_own_locale_middleware_too(settings: Any) -> None:
    from accounts.checks import check_user_locale_middleware

    settings.MIDDLEWARE = [
        "django.middleware.locale.LocaleMiddleware" if m == "core.locale.LocaleMiddleware" else m
        for m in settings.MIDDLEWARE
    ]
    assert check_user_locale_middleware() == []


# --- Dates in the person's zone ------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_dates_on_a_page_are_in_the_persons_zone(client: Any) -> None:
    person = UserFactory(time_zone="America/St_Johns", language="en")
    client.force_login(person)
    page = _html(client.get("/account/sessions/"))
    assert 'title="12 March 2026, 13:00 NDT">just now</time>' in page  # 15:30 UTC


def test_a_rendered_date_follows_the_activated_zone() -> None:
    template = Template('{% load times %}{{ at|when:"date" }}')
    late = dt.datetime(2026, 3, 12, 23, 30, tzinfo=dt.UTC)
    with timezone.override("Asia/Tokyo"), translation.override("de"):
        html = template.render(Context({"at": late}))
    assert "13. März" in html and "08:30" in html


# --- Choosing them on the account page ------------------------------------------------


def test_the_account_page_offers_the_languages_by_their_own_names(auth_client: Any) -> None:
    page = _html(auth_client.get("/account/"))
    assert '<option value="de">Deutsch</option>' in page
    assert '<option value="ar">العربية</option>' in page
    assert '<option value="Europe/Berlin">Berlin (UTC+' in page


def test_saving_arabic_turns_the_page_arabic_and_right_to_left(auth_client: Any, user: Any) -> None:
    saved = auth_client.post(
        "/account/locale/", {"language": "ar", "time_zone": "Asia/Riyadh"}, follow=True
    )
    user.refresh_from_db()
    assert (user.language, user.time_zone) == ("ar", "Asia/Riyadh")
    assert '<html lang="ar" dir="rtl"' in _html(saved)
    assert "تم حفظ لغتك ومنطقتك الزمنية." in _html(saved)  # the message, in the new language


def test_a_zone_not_on_the_list_is_refused(auth_client: Any, user: Any) -> None:
    page = auth_client.post("/account/locale/", {"language": "de", "time_zone": "Mars/Olympus"})
    assert page.status_code == 200
    assert "Choose a time zone from the list." in _html(page)
    user.refresh_from_db()
    assert (user.language, user.time_zone) == ("", "UTC")


def test_the_change_is_audited_in_the_persons_log(user: Any) -> None:
    user_locale_set(user=user, language="de", time_zone="Europe/Berlin", acting_user=user)
    event = AuditEvent.objects.get(action="account.locale_changed")
    assert event.tenant.personal_owner_id == user.pk
    assert event.before == {"language": "", "time_zone": "UTC"}
    assert event.after == {"language": "de", "time_zone": "Europe/Berlin"}
    # Saving the same values again writes nothing.
    user_locale_set(user=user, language="de", time_zone="Europe/Berlin", acting_user=user)
    assert AuditEvent.objects.filter(action="account.locale_changed").count() == 1


def test_the_service_refuses_what_the_form_would(user: Any) -> None:
    with pytest.raises(ValidationError):
        user_locale_set(user=user, language="xx", time_zone="UTC", acting_user=user)
    with pytest.raises(ValidationError):
        user_locale_set(user=user, language="de", time_zone="Nowhere/Else", acting_user=user)


# --- Sign-up guesses them ------------------------------------------------------------


def test_instant_sign_up_takes_the_browsers_zone_and_the_pages_language(
    client: Any, settings: Any
) -> None:
    settings.ACCOUNTS_SIGNUP_EMAIL_CONFIRMATION = False
    client.post(
        "/auth/sign-up/",
        {
            "name": "Greta",
            "email": "greta@example.com",
            "password": DEFAULT_PASSWORD,
            "time_zone": "Europe/Vienna",
        },
        HTTP_ACCEPT_LANGUAGE="de-AT,de;q=0.9",
    )
    greta = User.objects.get(email="greta@example.com")
    assert (greta.language, greta.time_zone) == ("de", "Europe/Vienna")
    # Her personal workspace is named in her language too (she may rename it).
    assert greta.personal_tenant.name == "Arbeitsbereich von Greta"


def test_sign_up_by_email_keeps_the_guess_until_the_link_is_used(
    client: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    from tests.accounts.mailtools import link_in

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/auth/sign-up/",
            {
                "name": "Amal",
                "email": "amal@example.com",
                "password": DEFAULT_PASSWORD,
                "time_zone": "Africa/Cairo",
            },
            HTTP_ACCEPT_LANGUAGE="ar-EG",
        )
    client.post(link_in(mailoutbox[-1]))
    amal = User.objects.get(email="amal@example.com")
    assert (amal.language, amal.time_zone) == ("ar", "Africa/Cairo")


@pytest.mark.parametrize(
    ("language", "zone", "expected"),
    [
        ("de", "Europe/Berlin", ("de", "Europe/Berlin")),
        ("de-ch", "Etc/GMT+5", ("de", "Etc/GMT+5")),
        ("fr", "Europe/Paris", ("", "Europe/Paris")),
        ("", "", ("", "UTC")),
        ("ar", "Not/A_Zone", ("ar", "UTC")),
        ("ar", "x" * 500, ("ar", "UTC")),
    ],
)
def test_a_guess_we_cannot_use_falls_back_silently(
    language: str, zone: str, expected: tuple[str, str]
) -> None:
    assert locale_or_default(language=language, time_zone=zone) == expected


# --- Email ---------------------------------------------------------------------------


def test_a_german_persons_email_is_german_and_in_their_zone(
    mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    greta = UserFactory(name="Greta", language="de", time_zone="Europe/Berlin")
    with django_capture_on_commit_callbacks(execute=True):
        email_enqueue(
            to=greta.email,
            template="accounts/email/new_device",
            context={
                "user": greta,
                "device": "Firefox on Linux",
                "ip": "192.0.2.1",
                "when": NOW,
                "url": "http://localhost:8000/account/sessions/",
                "reset_url": "http://localhost:8000/auth/password/forgot/",
            },
        )
    [message] = mailoutbox
    assert message.subject == "Neue Anmeldung bei Ihrem Konto"
    assert message.body.startswith("Hallo Greta,")
    assert "12. März 2026, 16:30 CET" in message.body  # 15:30 UTC, the month in German
    html = message.alternatives[0][0]
    assert '<html lang="de" dir="ltr">' in html


def test_an_address_without_an_account_gets_the_senders_language(
    mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with (
        translation.override("ar"),
        timezone.override("Asia/Dubai"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        email_enqueue(
            to="new.person@example.com",
            template="accounts/email/signup_confirm",
            context={"name": "Layla", "email": "new.person@example.com", "url": "http://x/"},
        )
    [message] = mailoutbox
    assert '<html lang="ar" dir="rtl">' in message.alternatives[0][0]


def test_recipients_in_different_languages_each_get_their_own(
    mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    german = UserFactory(language="de")
    arabic = UserFactory(language="ar")
    english = UserFactory(language="")  # the sender's: English here
    also_english = UserFactory(language="en")
    with django_capture_on_commit_callbacks(execute=True):
        deliveries = email_enqueue(
            to=[german.email, arabic.email, english.email, also_english.email],
            template="accounts/email/signup_confirm",
            context={"name": "Team", "email": "team@example.com", "url": "http://x/"},
        )
    assert [d.to for d in deliveries] == [
        [german.email],
        [arabic.email],
        [english.email, also_english.email],
    ]
    assert EmailDelivery.objects.count() == 3
    langs = {m.to[0]: m.alternatives[0][0].split('lang="')[1][:2] for m in mailoutbox}
    assert langs == {german.email: "de", arabic.email: "ar", english.email: "en"}


def test_the_time_zone_menu_offers_places_not_the_databases_old_names(
    auth_client: Any, user: Any
) -> None:
    """It offered "Factory" (times read "21:34 -00"), "localtime" and "US/Pacific"."""
    html = auth_client.get("/account/").content.decode()

    offered = set(re.findall(r'<option value="([^"]+)"', html))
    assert {"UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires"} <= offered
    assert not offered & {"Factory", "localtime", "US/Pacific", "Etc/GMT+5", "Japan"}
    # Each place once, under its current spelling (the tz database's zone.tab).
    assert "Asia/Kolkata" in offered and "Africa/Asmara" in offered
    assert not offered & {"Asia/Calcutta", "Africa/Asmera", "America/Buenos_Aires"}
    refused = auth_client.post("/account/locale/", {"language": "", "time_zone": "Factory"})
    assert "Choose a time zone from the list." in refused.content.decode()


@pytest.mark.parametrize(
    ("old", "current"),
    [("US/Pacific", "America/Los_Angeles"), ("Asia/Calcutta", "Asia/Kolkata")],
)
def test_an_old_zone_name_a_person_has_shows_as_the_place_the_menu_offers(
    client: Any, old: str, current: str
) -> None:
    """Chromium still gives "Asia/Calcutta" at sign-up: the menu showed it raw, first,
    outside every group and without an offset, and typing "Kolk" found nothing of it."""
    person = UserFactory(time_zone=old)
    client.force_login(person)

    html = client.get("/account/").content.decode()

    assert re.search(rf'<option value="{current}" selected>', html)
    assert f'value="{old}"' not in html
    saved = client.post("/account/locale/", {"language": "", "time_zone": current})
    assert saved.status_code == 302


def test_sign_up_stores_the_current_name_of_the_browsers_zone(client: Any) -> None:
    client.post(
        "/auth/sign-up/",
        {
            "name": "Priya",
            "email": "priya@example.com",
            "password": "a-long-passphrase-1",
            "time_zone": "Asia/Calcutta",
        },
    )

    assert PendingSignup.objects.get().time_zone == "Asia/Kolkata"


def test_the_time_zone_menu_groups_places_by_region_city_first_with_todays_offset(
    auth_client: Any,
) -> None:
    """It listed 490 "Region/City" names in one flat list: typing "Berlin" in it found
    nothing (every option began "Europe/"), and someone who knows only their offset had
    no way in. Offsets are today's: summer time moves them."""
    with time_machine.travel(dt.datetime(2026, 1, 15, 9, 0, tzinfo=dt.UTC), tick=False):
        winter = auth_client.get("/account/").content.decode()
    with time_machine.travel(dt.datetime(2026, 7, 15, 9, 0, tzinfo=dt.UTC), tick=False):
        summer = auth_client.get("/account/").content.decode()

    menu = winter.split('name="time_zone"')[1].split("</select>")[0]
    assert re.findall(r'<optgroup label="([^"]+)"', menu)[:3] == [
        "Africa",
        "Americas",
        "Antarctica",
    ]
    assert menu.index('value="UTC"') < menu.index("<optgroup")
    europe = menu.split('<optgroup label="Europe">')[1].split("</optgroup>")[0]
    assert '<option value="Europe/Berlin">Berlin (UTC+01:00)</option>' in europe
    assert (
        '<option value="America/Argentina/Buenos_Aires">Buenos Aires, Argentina (UTC\u221203:00)'
        in menu
    )
    assert '<option value="Asia/Kolkata">Kolkata (UTC+05:30)</option>' in menu
    assert '<option value="Europe/Berlin">Berlin (UTC+02:00)</option>' in summer
    cities = re.findall(r'<option value="Europe/[^"]+">([^<]+)</option>', europe)
    assert cities == sorted(cities), "a region's cities in order, so typing finds them"


def test_the_time_zone_regions_are_in_the_readers_language(auth_client: Any, user: Any) -> None:
    user.language = "de"
    user.save(update_fields=["language"])

    html = auth_client.get("/account/").content.decode()

    assert '<optgroup label="Europa">' in html
    assert '<optgroup label="Pazifik">' in html


def test_sign_out_carries_the_language_past_the_cleared_cookies(client: Any) -> None:
    client.force_login(UserFactory(language="de"))

    out = client.post("/auth/sign-out/")
    landed = client.get(out["Location"])

    assert out["Clear-Site-Data"] == '"cache", "cookies"'
    assert landed.cookies["pacetrack-language"].value == "de"
    home = client.get(landed["Location"])
    assert '<html lang="de"' in _html(home) and "Sie wurden abgemeldet." in _html(home)


@pytest.mark.parametrize("value", ["ar", "not-signed", ""])
def test_a_link_cannot_set_someones_language_through_the_signed_out_page(
    client: Any, value: str
) -> None:
    """Only what sign-out signed is taken; anything else lands as before, in English."""
    landed = client.get("/auth/signed-out/", {"language": value})

    assert "pacetrack-language" not in landed.cookies
    assert "You have been signed out." in _html(client.get(landed["Location"]))
