"""Avatar, logo and tenant file pages, driven through the test client."""

from __future__ import annotations

import html
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from tests.tenants.factories import OrgFactory, add_member
from tests.uploads.conftest import make_image
from tests.uploads.test_images import bomb_png
from uploads.models import Upload

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def _png(name: str = "me.png", size=(300, 200)) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, make_image("PNG", size), content_type="image/png")


def _stored_keys(storage) -> list[str]:
    folders, _ = storage.listdir("")
    return [f"{d}/{f}" for d in folders for f in storage.listdir(d)[1]]


# --- Avatar ---------------------------------------------------------------------


def test_avatar_upload_with_htmx_redirects_back_to_the_account_page(any_storage, auth_client, user):
    response = auth_client.post(
        reverse("avatar:update"), {"image": _png(), "next": "/account/"}, headers=HTMX
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/account/"
    user.refresh_from_db()
    assert user.avatar and any_storage.exists(user.avatar)


def test_avatar_upload_without_javascript_redirects_with_a_message(auth_client, user):
    response = auth_client.post(reverse("avatar:update"), {"image": _png()}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:profile")
    assert "Your profile picture has been updated." in response.content.decode()


def test_next_must_be_a_same_site_path(auth_client):
    response = auth_client.post(
        reverse("avatar:update"), {"image": _png(), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("accounts:profile")


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
POLYGLOT = b"GIF89a<html><script>alert(document.cookie)</script></html>"


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("bomb.png", bomb_png(), "megapixels"),
        ("cut.png", make_image("PNG", (400, 400))[:900], "damaged or incomplete"),
        ("poly.gif", POLYGLOT, "is not a PNG, JPEG, WebP or GIF image"),
        ("logo.svg", SVG, "SVG and other formats are not accepted"),
        ("big.png", make_image("PNG", (64, 64)) + b"\0" * 2048, "the limit is"),
    ],
    ids=["bomb", "truncated", "polyglot", "svg", "oversized"],
)
def test_bad_avatar_files_show_a_form_error_and_store_nothing(
    any_storage, settings, auth_client, user, filename, content, message
):
    settings.UPLOADS_IMAGE_MAX_BYTES = 2048 if filename == "big.png" else 5 * 1024 * 1024
    upload = SimpleUploadedFile(filename, content, content_type="image/png")

    response = auth_client.post(reverse("avatar:update"), {"image": upload}, headers=HTMX)

    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert 'role="alert"' in page
    assert message in page
    assert f"“\u2068{filename}\u2069”: " in page  # which file, as the files page says
    assert not Upload.objects.exists()
    assert _stored_keys(any_storage) == []
    user.refresh_from_db()
    assert user.avatar == ""


def test_bad_avatar_without_javascript_is_reported_as_a_message(auth_client):
    upload = SimpleUploadedFile("x.svg", SVG, content_type="image/svg+xml")
    response = auth_client.post(reverse("avatar:update"), {"image": upload}, follow=True)
    assert "SVG and other formats are not accepted" in response.content.decode()
    assert "x.svg" in response.content.decode()  # the emptied field no longer says
    assert not Upload.objects.exists()


def test_missing_file_has_a_clear_error(auth_client):
    response = auth_client.post(reverse("avatar:update"), {}, headers=HTMX)
    assert "Choose an image to upload." in response.content.decode()


def test_preview_shows_the_cropped_result_and_stores_nothing(any_storage, auth_client):
    response = auth_client.post(reverse("avatar:preview"), {"image": _png()}, headers=HTMX)
    assert response.status_code == 200
    assert 'src="data:image/png;base64,' in response.content.decode()
    assert not Upload.objects.exists()
    assert _stored_keys(any_storage) == []


def test_preview_names_the_button_of_its_own_card(owner_client, acme):
    """A "Press Save" beside a button reading "Save logo" left people looking for another."""
    avatar = owner_client.post(reverse("avatar:preview"), {"image": _png()}, headers=HTMX)
    logo = owner_client.post(
        reverse("files:logo-preview", kwargs={"tenant_slug": acme.slug}),
        {"image": _png()},
        headers=HTMX,
    )
    assert "Press <strong>Save picture</strong> to use it." in avatar.content.decode()
    assert "Press <strong>Save logo</strong> to use it." in logo.content.decode()


def test_preview_reports_errors(auth_client):
    upload = SimpleUploadedFile("x.svg", SVG)
    response = auth_client.post(reverse("avatar:preview"), {"image": upload}, headers=HTMX)
    assert "SVG" in response.content.decode() and "data:image" not in response.content.decode()


def test_avatar_remove(auth_client, user, django_capture_on_commit_callbacks):
    auth_client.post(reverse("avatar:update"), {"image": _png()})
    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.post(reverse("avatar:remove"), headers=HTMX)
    assert response["HX-Redirect"] == reverse("accounts:profile")
    user.refresh_from_db()
    assert user.avatar == "" and not Upload.objects.exists()


def test_avatar_pages_need_sign_in_and_post(client, user):
    response = client.post(reverse("avatar:update"), {"image": _png()})
    assert response.status_code == 302 and "/auth/sign-in/" in response["Location"]
    assert not Upload.objects.exists()
    client.force_login(user)
    assert client.get(reverse("avatar:update")).status_code == 405


def test_avatar_card_renders_with_the_current_picture(auth_client, user):
    auth_client.post(reverse("avatar:update"), {"image": _png()})
    user.refresh_from_db()
    html = auth_client.get(reverse("accounts:profile")).content.decode()
    assert f'src="/serve/{user.avatar}"' in html
    assert 'hx-post="/account/avatar/preview/"' in html
    assert "Remove picture" in html


# --- Expensive requests --------------------------------------------------------------


def _big_png(size=(5000, 4999)) -> bytes:
    """A real, valid image of `size` (one colour, so only ~25 KB): cheap to send, and
    ~300 MB of RAM and a second of CPU to decode and resize."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", size).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_small_png_of_5000x4999_pixels_is_refused_from_its_header(auth_client):
    data = _big_png()
    assert len(data) < 150 * 1024
    upload = SimpleUploadedFile("huge.png", data, content_type="image/png")

    response = auth_client.post(reverse("avatar:preview"), {"image": upload}, headers=HTMX)

    html = response.content.decode()
    assert "too large in pixels" in html and "16.8 megapixels" in html
    assert "data:image" not in html


def test_the_pixel_limit_is_written_in_the_readers_numbers(auth_client, user):
    user.language = "de"
    user.save(update_fields=["language"])
    upload = SimpleUploadedFile("huge.png", _big_png(), content_type="image/png")

    response = auth_client.post(reverse("avatar:preview"), {"image": upload}, headers=HTMX)

    assert "16,8 Megapixel" in response.content.decode()


def test_a_large_phone_photo_is_still_accepted_because_jpegs_decode_at_reduced_scale(
    auth_client,
):
    photo = make_image("JPEG", (6000, 4000), mode="L")  # 24 MP, over the pixel cap

    response = auth_client.post(
        reverse("avatar:preview"), {"image": SimpleUploadedFile("me.jpg", photo)}, headers=HTMX
    )

    assert 'src="data:image/png;base64,' in response.content.decode()


def test_image_processing_has_its_own_budget_far_below_the_page_budget(owner_client, acme):
    """30 decodes per 15 minutes per person: an image flood stops there, the app does not."""
    client = owner_client
    tiny = make_image("PNG", (16, 16))
    logo_preview = reverse("files:logo-preview", kwargs={"tenant_slug": acme.slug})

    def preview(url):
        return client.post(url, {"image": SimpleUploadedFile("a.png", tiny)}, headers=HTMX)

    answers = [preview(reverse("avatar:preview")).status_code for _ in range(30)]
    refused = preview(reverse("avatar:preview"))
    shared = preview(logo_preview)

    assert answers == [200] * 30
    assert refused.status_code == 429 and shared.status_code == 429
    assert "Slow down a little" in refused.content.decode()
    assert client.get(f"/t/{acme.slug}/").status_code == 200  # everything else still works


def _multipart_claiming(size: int, **fields) -> dict:
    from django.test.client import BOUNDARY, encode_multipart

    return {
        "data": encode_multipart(BOUNDARY, fields),
        "content_type": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": str(size),
    }


CLAIMS_120_MB = 120 * 1024 * 1024


def test_an_avatar_claiming_120_mb_is_refused_with_413_before_the_body_is_read(auth_client):
    # The body is one small PNG; only Content-Length claims 120 MB. Had anything tried to
    # read that much, the test client's payload would have raised.
    response = auth_client.post(
        reverse("avatar:update"), **_multipart_claiming(CLAIMS_120_MB, image=_png())
    )

    assert response.status_code == 413
    assert "at most 5 MB" in response.content.decode()
    assert not Upload.objects.exists()


def test_htmx_gets_a_413_notice_it_can_show(auth_client):
    response = auth_client.post(
        reverse("avatar:preview"),
        headers=HTMX,
        **_multipart_claiming(CLAIMS_120_MB, image=_png()),
    )

    assert response.status_code == 413
    assert response["HX-Retarget"] == "#main" and response["HX-Reswap"] == "afterbegin"
    assert "This file is too large." in response.content.decode()


def test_each_upload_endpoint_accepts_up_to_its_own_limit(owner_client, acme, settings):
    settings.UPLOADS_FILE_MAX_BYTES = 25 * 1024 * 1024
    url = _files_url(acme, "files:upload")
    near = 25 * 1024 * 1024  # over the image limit, within the file limit
    assert owner_client.post(url, **_multipart_claiming(CLAIMS_120_MB)).status_code == 413
    refused_as_image = owner_client.post(
        reverse("files:logo", kwargs={"tenant_slug": acme.slug}),
        **_multipart_claiming(near, image=_png()),
    )
    assert refused_as_image.status_code == 413
    ok = owner_client.post(url, {"file": SimpleUploadedFile("a.txt", b"hi")})
    assert ok.status_code == 302


# --- Logo -----------------------------------------------------------------------


def test_admin_can_upload_a_logo(any_storage, client, acme):
    admin = add_member(acme, role_key="admin").user
    client.force_login(admin)
    url = reverse("files:logo", kwargs={"tenant_slug": acme.slug})

    response = client.post(url, {"image": _png("logo.webp")}, headers=HTMX)

    assert response.status_code == 200 and "HX-Redirect" in response
    acme.refresh_from_db()
    assert acme.logo.startswith(f"tenant-{acme.pk}/") and any_storage.exists(acme.logo)


def test_members_without_tenant_update_cannot_change_the_logo(client, acme):
    member = add_member(acme).user
    client.force_login(member)
    for name in ("files:logo", "files:logo-remove", "files:logo-preview"):
        response = client.post(reverse(name, kwargs={"tenant_slug": acme.slug}), {"image": _png()})
        assert response.status_code == 403
    assert not Upload.objects.exists()


def test_logo_of_another_tenant_is_404(client, acme, other_user):
    client.force_login(other_user)
    url = reverse("files:logo", kwargs={"tenant_slug": acme.slug})
    assert client.post(url, {"image": _png()}).status_code == 404


def test_logo_errors_rerender_the_card(owner_client, acme):
    url = reverse("files:logo", kwargs={"tenant_slug": acme.slug})
    upload = SimpleUploadedFile("x.svg", SVG)
    response = owner_client.post(url, {"image": upload}, headers=HTMX)
    html = response.content.decode()
    assert 'id="logo-card"' in html and "SVG" in html
    assert not Upload.objects.exists()


def test_logo_remove(owner_client, acme):
    owner_client.post(reverse("files:logo", kwargs={"tenant_slug": acme.slug}), {"image": _png()})
    acme.refresh_from_db()
    assert acme.logo
    owner_client.post(reverse("files:logo-remove", kwargs={"tenant_slug": acme.slug}))
    acme.refresh_from_db()
    assert acme.logo == ""


# --- Tenant files -----------------------------------------------------------------


def _files_url(acme, name="files:list", **kwargs) -> str:
    return reverse(name, kwargs={"tenant_slug": acme.slug, **kwargs})


def test_members_see_the_list_but_no_upload_form(client, acme, owner):
    member = add_member(acme).user
    client.force_login(member)
    response = client.get(_files_url(acme))
    assert response.status_code == 200
    assert "No files yet" in response.content.decode()
    assert "Upload a file" not in response.content.decode()


def test_upload_lists_and_downloads_a_file(any_storage, owner_client, acme):
    pdf = SimpleUploadedFile("Q3 plan.pdf", b"%PDF-1.7 plan", content_type="text/html")

    response = owner_client.post(_files_url(acme, "files:upload"), {"file": pdf}, follow=True)

    html = response.content.decode()
    assert "Uploaded \u2068Q3 plan.pdf\u2069." in html  # isolated: see core.text.isolated
    upload = Upload.objects.get()
    assert upload.content_type == "application/pdf"  # from settings, not the browser
    assert "Q3 plan.pdf" in html and "1 file" in html
    download = owner_client.get(_files_url(acme, "files:download", pk=upload.pk))
    assert download["Location"] == f"/serve/{upload.key}"
    assert b"".join(owner_client.get(download["Location"]).streaming_content) == b"%PDF-1.7 plan"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("page.html", b"<html></html>", "Files of this type cannot be uploaded"),
        ("image.svg", SVG, "Files of this type cannot be uploaded"),
        ("noext", b"data", "Files of this type cannot be uploaded"),
        ("fake.pdf", b"<html><script>1</script>", "does not match its .pdf extension"),
        ("big.txt", b"x" * 2048, "the limit is"),
        ('Tom & "Jerry".exe', b"MZ", "Files of this type cannot be uploaded"),
        ("empty.txt", b"", "The file is empty."),  # refused before the form's own checks
    ],
)
def test_bad_files_are_refused_with_form_errors(
    any_storage, settings, owner_client, acme, name, content, message
):
    """The error names the file (the field is empty again after the post), escaped."""
    settings.UPLOADS_FILE_MAX_BYTES = 1024
    response = owner_client.post(
        _files_url(acme, "files:upload"), {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert f"“\u2068{escape(name)}\u2069”: " in response.content.decode()
    assert not Upload.objects.exists()
    assert _stored_keys(any_storage) == []


def test_uploads_past_the_plans_storage_cap_are_refused_with_a_form_error(
    any_storage, settings, owner_client, acme
):
    settings.BILLING_PLANS = {
        **settings.BILLING_PLANS,
        "free": {**settings.BILLING_PLANS["free"], "max_storage_mb": 1},
    }
    url = _files_url(acme, "files:upload")
    first = SimpleUploadedFile("a.txt", b"x" * 700_000)
    assert owner_client.post(url, {"file": first}).status_code == 302

    second = SimpleUploadedFile("b.txt", b"y" * 400_000)
    response = owner_client.post(url, {"file": second})

    assert response.status_code == 400
    assert (
        "“\u2068b.txt\u2069”: This file is 0.4 MB; 0.3 MB of the Free plan&#x27;s 1\xa0MB of "
        "storage is left." in response.content.decode()
    )
    assert list(Upload.objects.values_list("original_filename", flat=True)) == ["a.txt"]
    assert len(_stored_keys(any_storage)) == 1


def test_allowed_types_come_from_settings(settings, owner_client, acme):
    settings.UPLOADS_FILE_TYPES = {"log": "text/plain"}
    ok = owner_client.post(
        _files_url(acme, "files:upload"), {"file": SimpleUploadedFile("a.log", b"hi")}
    )
    assert ok.status_code == 302
    refused = owner_client.post(
        _files_url(acme, "files:upload"), {"file": SimpleUploadedFile("a.pdf", b"%PDF-")}
    )
    # The list is isolated left to right (Arabic sentences put the dots at the wrong ends),
    # and spelled as the form's hint spells it (they said "log" and ".log").
    assert "Allowed types: \u2066.log\u2069." in refused.content.decode()
    assert "Allowed: \u2066.log\u2069." in refused.content.decode()


def test_plain_members_cannot_upload_or_delete(client, owner_client, acme):
    owner_client.post(
        _files_url(acme, "files:upload"), {"file": SimpleUploadedFile("a.txt", b"hi")}
    )
    upload = Upload.objects.get()
    member = add_member(acme).user
    client.force_login(member)
    response = client.post(
        _files_url(acme, "files:upload"), {"file": SimpleUploadedFile("b.txt", b"hi")}
    )
    assert response.status_code == 403
    assert client.post(_files_url(acme, "files:delete", pk=upload.pk)).status_code == 403
    assert Upload.objects.count() == 1


def test_manager_deletes_a_file(
    any_storage, owner_client, acme, django_capture_on_commit_callbacks
):
    owner_client.post(
        _files_url(acme, "files:upload"), {"file": SimpleUploadedFile("a.txt", b"hi")}
    )
    upload = Upload.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(_files_url(acme, "files:delete", pk=upload.pk), follow=True)
    assert "Deleted \u2068a.txt\u2069." in response.content.decode()
    assert not Upload.objects.exists()
    assert not any_storage.exists(upload.key)


def test_each_delete_form_posts_a_token_that_csrf_checking_accepts(
    any_storage, acme, owner, django_capture_on_commit_callbacks
):
    """The rows share one token input, rendered once per page: each row's form still
    deletes its own file with CSRF checks on, and nothing is deleted without it."""
    import re

    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    page = client.get(_files_url(acme)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    for name in ("a.txt", "b.txt", "c.txt"):
        client.post(
            _files_url(acme, "files:upload"),
            {"file": SimpleUploadedFile(name, b"hi"), "csrfmiddlewaretoken": token},
        )
    assert Upload.objects.count() == 3
    page = client.get(_files_url(acme)).content.decode()
    forms = re.findall(
        r'<form method="post" action="(/t/[^"]+/files/(\d+)/delete/)".*?'
        r'name="csrfmiddlewaretoken" value="([^"]+)"',
        page,
        re.S,
    )
    assert sorted(int(pk) for _, pk, _ in forms) == sorted(
        Upload.objects.values_list("pk", flat=True)
    )
    action, pk, token = forms[-1]
    assert client.post(action).status_code == 403  # no token: refused, nothing deleted
    assert Upload.objects.count() == 3
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action, {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert not Upload.objects.filter(pk=pk).exists() and Upload.objects.count() == 2


def test_files_of_another_tenant_are_404_everywhere(client, owner_client, acme, other_user):
    owner_client.post(
        _files_url(acme, "files:upload"), {"file": SimpleUploadedFile("a.txt", b"hi")}
    )
    upload = Upload.objects.get()
    theirs = OrgFactory(owner=other_user)
    client.force_login(other_user)
    # Their own tenant, our file's id.
    assert client.get(_files_url(theirs, "files:download", pk=upload.pk)).status_code == 404
    assert client.post(_files_url(theirs, "files:delete", pk=upload.pk)).status_code == 404
    # Our tenant's pages.
    assert client.get(_files_url(acme)).status_code == 404
    assert client.get(f"/serve/{upload.key}").status_code == 404
    assert Upload.objects.filter(pk=upload.pk).exists()


def test_avatars_and_logos_are_not_in_the_file_list(owner_client, acme):
    owner_client.post(reverse("files:logo", kwargs={"tenant_slug": acme.slug}), {"image": _png()})
    response = owner_client.get(_files_url(acme))
    assert "No files yet" in response.content.decode()
    missing = owner_client.get(_files_url(acme, "files:download", pk=Upload.objects.get().pk))
    assert missing.status_code == 404


def test_file_list_query_count_does_not_grow_with_files(owner_client, acme, owner):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert owner_client.get(_files_url(acme)).status_code == 200
        return len(ctx)

    for i in range(2):
        owner_client.post(
            _files_url(acme, "files:upload"), {"file": SimpleUploadedFile(f"{i}.txt", b"x")}
        )
    few = count()
    for i in range(5):
        member = add_member(acme, role_key="admin").user
        owner_client.force_login(member)
        owner_client.post(
            _files_url(acme, "files:upload"), {"file": SimpleUploadedFile(f"m{i}.txt", b"x")}
        )
    owner_client.force_login(owner)
    owner_client.get(_files_url(acme))  # a fresh session records the active tenant once
    assert count() == few


def test_upload_form_is_readable(owner_client, acme):
    html = owner_client.get(_files_url(acme)).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert "Up to 25 MB." in html


@pytest.mark.parametrize(
    ("language", "said"),
    [("en", "This file is 25.1 MB; the limit is 25 MB."), ("de", "25,1 MB")],
)
def test_a_file_a_byte_over_the_limit_is_not_said_to_be_the_limits_size(
    any_storage, settings, owner_client, acme, language, said
):
    """It read "This file is 25 MB; the limit is 25 MB.": sizes are rounded up to a
    tenth, in the reader's numbers."""
    settings.UPLOADS_FILE_MAX_BYTES = 25 * 1024 * 1024
    owner_client.cookies["pacetrack-language"] = language
    owner = acme.memberships.get(role__key="owner").user
    owner.language = language
    owner.save(update_fields=["language"])
    big = SimpleUploadedFile("big.txt", b"x" * (25 * 1024 * 1024 + 1))

    response = owner_client.post(_files_url(acme, "files:upload"), {"file": big})

    assert response.status_code == 400
    assert said in response.content.decode()


def test_a_right_to_left_file_name_is_isolated_in_the_sentences_that_name_it(
    owner_client: Any, acme: Any
) -> None:
    """The walk saw "2026 تقرير الربع الأول.txt wurde hochgeladen": the Arabic name took
    the German words after it into its right-to-left run. Isolated, it stays one piece."""
    name = "تقرير الربع الأول 2026.txt"
    upload = SimpleUploadedFile(name, b"figures", content_type="text/plain")

    page = owner_client.post(
        f"/t/{acme.slug}/files/upload/", {"file": upload}, follow=True
    ).content.decode()

    assert f"Uploaded \u2068{name}\u2069." in page


def test_in_arabic_no_full_stop_follows_the_list_of_types(settings, owner_client, owner, acme):
    """After the left-to-right list, a full stop took the sentence's direction and was
    drawn against its first item: "..log"."""
    settings.UPLOADS_FILE_TYPES = {"log": "text/plain", "csv": "text/csv"}
    owner.language = "ar"
    owner.save(update_fields=["language"])

    page = owner_client.get(_files_url(acme, "files:list")).content.decode()
    refused = owner_client.post(
        _files_url(acme, "files:upload"), {"file": SimpleUploadedFile("a.pdf", b"%PDF-")}
    ).content.decode()

    assert "الأنواع المسموح بها: \u2066.csv, .log\u2069<" in refused
    assert "المسموح به: \u2066.csv, .log\u2069<" in page
