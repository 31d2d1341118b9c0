"""Template tags for the avatar and logo cards, which are included in pages we don't own."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from uploads.forms import AvatarForm, ImageUploadForm, LogoForm

register = template.Library()

AVATAR_PREVIEW_TARGET = "#avatar-preview"
LOGO_PREVIEW_TARGET = "#logo-preview"


def avatar_form(form: ImageUploadForm | None = None) -> ImageUploadForm:
    form = form if form is not None else AvatarForm()
    return form.enable_preview(url=reverse("avatar:preview"), target=AVATAR_PREVIEW_TARGET)


def logo_form(tenant_slug: str, form: ImageUploadForm | None = None) -> ImageUploadForm:
    form = form if form is not None else LogoForm()
    url = reverse("files:logo-preview", kwargs={"tenant_slug": tenant_slug})
    return form.enable_preview(url=url, target=LOGO_PREVIEW_TARGET)


@register.simple_tag(takes_context=True)
def image_upload_form(context: Any, kind: str) -> ImageUploadForm:
    """The card's form: the bound one from our own view (with errors), else a blank one."""
    bound = context.get("form")
    form = bound if isinstance(bound, ImageUploadForm) else None
    if kind == "logo":
        return logo_form(context["request"].tenant.slug, form)
    return avatar_form(form)
