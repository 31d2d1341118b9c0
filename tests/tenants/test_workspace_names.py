"""A workspace's name needs a letter or digit, in any script: "!!! ???" was accepted as
an organisation's name and got the English URL name "workspace". The new-organisation
form, the rename form and the services (the admin, `create_org`) refuse it alike."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tenants.models import Tenant
from tenants.services import tenant_create_org, tenant_rename

pytestmark = pytest.mark.django_db

REFUSAL = {
    "en": "Enter a name with at least one letter or digit.",
    "de": "Geben Sie einen Namen mit mindestens einem Buchstaben oder einer Ziffer ein.",
    "ar": "أدخل اسمًا فيه حرف أو رقم واحد على الأقل.",
}


@pytest.mark.parametrize("language", ["en", "de", "ar"])
def test_a_new_organisation_named_only_in_punctuation_is_refused(
    auth_client: Any, user: Any, language: str
) -> None:
    type(user).objects.filter(pk=user.pk).update(language=language)

    response = auth_client.post("/account/tenants/new/", {"name": "!!! ???", "account": "new"})

    assert response.status_code == 400
    assert REFUSAL[language] in response.content.decode()
    assert not Tenant.objects.filter(name="!!! ???").exists()


@pytest.mark.parametrize("language", ["en", "de", "ar"])
def test_a_rename_to_only_punctuation_is_refused_and_the_name_kept(
    owner_client: Any, owner: Any, acme: Any, language: str
) -> None:
    type(owner).objects.filter(pk=owner.pk).update(language=language)

    response = owner_client.post(f"/t/{acme.slug}/settings/rename/", {"name": "— … —"})

    assert response.status_code == 400
    html = response.content.decode()
    assert REFUSAL[language] in html
    assert '<h1 class="page-title" translate="no">Acme</h1>' in html  # not renamed, even here
    acme.refresh_from_db()
    assert acme.name == "Acme"


@pytest.mark.parametrize("name", ["東京", "٢٠٢٦", "Ω", "3"])
def test_a_letter_or_digit_of_any_script_is_enough(owner_client: Any, acme: Any, name: str) -> None:
    response = owner_client.post(f"/t/{acme.slug}/settings/rename/", {"name": f"« {name} »"})

    assert response.status_code == 302
    acme.refresh_from_db()
    assert acme.name == f"« {name} »"


def test_the_services_refuse_it_too(owner: Any, acme: Any) -> None:
    """The admin and `manage.py create_org` create and rename through the services."""
    with pytest.raises(ValidationError) as refused:
        tenant_create_org(owner=owner, name="!!!")
    assert refused.value.message_dict == {"name": [REFUSAL["en"]]}
    with pytest.raises(ValidationError):
        tenant_rename(tenant=acme, name="???", acting_user=owner)
    assert not Tenant.objects.filter(name="!!!").exists()
