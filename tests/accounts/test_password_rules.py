"""The password rules say what they check, in the reader's language: a password like
the person's own name is refused (our users have one `name`, which Django's similarity
check did not read), and the length rule reads in Arabic (Django's Arabic lacks it)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def sign_up(client: Client, *, name: str, password: str, language: str = "en") -> Any:
    client.cookies["pacetrack-language"] = language
    data = {"name": name, "email": "quinn@example.com", "password": password}
    return client.post("/auth/sign-up/", data)


def password_errors(response: Any) -> list[str]:
    assert response.status_code == 200  # the form again, nothing sent
    return list(response.context["form"].errors.get("password", []))


@pytest.mark.parametrize(
    ("name", "password"),
    [("Quinn Tester", "quinntester1"), ("Bartholomew Fitzgerald", "bartholomewfitzgerald")],
)
def test_a_password_like_the_persons_name_is_refused(
    client: Client, mailoutbox: list[Any], name: str, password: str
) -> None:
    errors = password_errors(sign_up(client, name=name, password=password))

    assert errors == ["The password is too similar to the name."]
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ar", "كلمة المرور هذه قصيرة جدًا. يجب أن تتكون من 10 أحرف على الأقل."),
        ("de", "Dieses Passwort ist zu kurz. Es muss mindestens 10 Zeichen enthalten."),
    ],
)
def test_the_length_rule_reads_in_the_readers_language(
    client: Client, language: str, expected: str
) -> None:
    errors = password_errors(sign_up(client, name="Quinn", password="Zq7!", language=language))

    assert expected in errors


def test_the_similarity_rule_names_the_field_in_the_readers_language(client: Client) -> None:
    errors = password_errors(
        sign_up(client, name="Quinn Tester", password="quinntester1", language="de")
    )

    assert errors == ["Das Passwort ähnelt zu sehr dem Feld „Name“."]
