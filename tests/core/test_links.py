"""core/links.py: the chrome's URLs, reversed once per process, equal `reverse()` always."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, reverse, set_script_prefix, set_urlconf

from core.links import link, links_clear


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    links_clear()
    yield
    set_script_prefix("/")
    set_urlconf(None)
    links_clear()


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("home", ()),
        ("accounts:profile", ()),
        ("workspaces:create", ()),
        ("tenant:dashboard", ("acme-corp",)),
        ("tenant:members", ("a-b-c",)),
        ("billing:overview", ("x1",)),
        ("files:download", ("acme-corp", 42)),
        ("uploads:serve", ("tenant-7", "V1StGXR8_Z5jdHi6B-myT.webp")),
    ],
)
def test_link_is_what_reverse_answers(name: str, args: tuple[Any, ...]) -> None:
    assert link(name, *args) == reverse(name, args=args)
    assert link(name, *args) == reverse(name, args=args)  # from the stored template


def test_each_argument_lands_in_its_own_place() -> None:
    assert link("files:download", "org-one", 7) == reverse(
        "files:download", kwargs={"tenant_slug": "org-one", "pk": 7}
    )
    assert link("tenant:members", "one") != link("tenant:members", "two")


def test_the_script_prefix_is_the_requests_not_the_first_callers() -> None:
    plain = link("tenant:members", "acme")
    set_script_prefix("/pacetrack/")

    assert link("tenant:members", "acme") == "/pacetrack" + plain
    assert link("tenant:members", "acme") == reverse("tenant:members", args=["acme"])


def test_a_changed_root_urlconf_is_followed() -> None:
    assert link("home") == "/"
    with pytest.raises(NoReverseMatch):
        link("probe", "acme", 1)

    with override_settings(ROOT_URLCONF="tests.core.links_urls"):
        assert link("home") == "/elsewhere/"
        assert link("probe", "acme", 1) == "/w/acme/probe/1/"

    assert link("home") == "/"


def test_a_requests_own_urlconf_is_followed() -> None:
    assert link("home") == "/"
    set_urlconf("tests.core.links_urls")

    assert link("home") == "/elsewhere/"


@pytest.mark.parametrize("bad", ["a/b", "a b", "../x", "ü", "", "a?b=1", ".", "..", "..\n"])
def test_arguments_that_would_need_quoting_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="slugs and ids"):
        link("tenant:members", bad)
