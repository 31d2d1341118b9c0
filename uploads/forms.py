"""Upload forms: validation (size, type, decoding) happens here; save() calls a service."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing.exceptions import PlanLimitReached
from core.file_limits import file_room_limit, file_size_limit, size_in_megabytes, size_slot
from core.text import isolated
from uploads import images, services
from uploads.filetypes import (
    SIGNATURE_BYTES,
    allowed_file_types,
    allowed_types_listed,
    file_type_check,
)
from uploads.models import Upload

if TYPE_CHECKING:
    from accounts.models import User
    from billing.plans import StorageRoom
    from tenants.models import Tenant

IMAGE_ACCEPT = "image/png,image/jpeg,image/webp,image/gif"
_INPUT_CLASSES = (
    "block w-full text-sm text-slate-600 file:me-3 file:rounded-lg file:border-0 "
    "file:bg-brand-50 file:px-3 file:py-2 file:text-sm file:font-semibold file:text-brand-700 "
    "hover:file:bg-brand-100"
)


def _named(name: str, refused: ValidationError) -> ValidationError:
    """A refusal that names the file it is about: the browser empties the field after a
    post, and the page then said "This image…" of a file no longer shown."""
    return ValidationError(
        _("“%(name)s”: %(reason)s")
        % {"name": isolated(name), "reason": " ".join(refused.messages)},
        code=refused.code,
    )


class _NamedFileField(forms.FileField):
    """A refusal made before the form's own checks (an empty file, a name too long)
    names the file too, as the form's own refusals do."""

    def to_python(self, data: Any) -> Any:
        try:
            return super().to_python(data)
        except ValidationError as refused:
            name = getattr(data, "name", None)
            if not name:
                raise
            raise _named(name, refused) from refused


class ImageUploadForm(forms.Form):
    """An avatar or logo: any PNG/JPEG/WebP/GIF up to the size limit, cropped to a square.

    Choosing a file posts the form to `preview_url` and shows the result in the
    card's `preview_target` (htmx); subclasses say where both are.
    """

    preview_target = ""

    image = _NamedFileField(
        label=gettext_lazy("Image"),
        widget=forms.FileInput(attrs={"accept": IMAGE_ACCEPT, "class": _INPUT_CLASSES}),
        error_messages={
            "required": gettext_lazy("Choose an image to upload."),
            "empty": gettext_lazy("The file is empty."),
            "invalid": gettext_lazy(
                "No file was received. Check the form's encoding and try again."
            ),
        },
    )

    def __init__(self, *args: Any, preview_url: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        image = self.fields["image"]
        image.help_text = _(
            "PNG, JPEG, WebP or GIF, up to %(size)s. It is cropped to a square."
        ) % {"size": size_in_megabytes(settings.UPLOADS_IMAGE_MAX_BYTES)}
        file_size_limit(image, settings.UPLOADS_IMAGE_MAX_BYTES)
        image.widget.attrs.update(
            {
                "hx-post": preview_url,
                "hx-trigger": "change",
                "hx-target": self.preview_target,
                "hx-swap": "innerHTML",
            }
        )

    def clean_image(self) -> images.NormalizedImage:
        upload = self.cleaned_data["image"]
        try:
            return images.image_normalize(upload, filename=upload.name or "", size=upload.size)
        except ValidationError as refused:
            if not upload.name:
                raise
            raise _named(upload.name, refused) from refused


class AvatarForm(ImageUploadForm):
    preview_target = "#avatar-preview"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, preview_url=reverse("avatar:preview"), **kwargs)

    def save(self, *, user: User) -> Upload:
        return services.avatar_update(user=user, image=self.cleaned_data["image"])


class LogoForm(ImageUploadForm):
    preview_target = "#logo-preview"

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        url = reverse("files:logo-preview", kwargs={"tenant_slug": tenant.slug})
        super().__init__(*args, preview_url=url, **kwargs)

    def save(self, *, tenant: Tenant, acting_user: User) -> Upload:
        return services.logo_update(
            tenant=tenant, image=self.cleaned_data["image"], acting_user=acting_user
        )


class FileUploadForm(forms.Form):
    # Set when the plan's storage cap refused the file, for the link after the refusal
    # (as core.errors.ServiceForm's, for a plan cap's button).
    upgrade_url: str = ""

    file = _NamedFileField(
        label=gettext_lazy("File"),
        max_length=255,
        widget=forms.FileInput(attrs={"class": _INPUT_CLASSES}),
        error_messages={
            "required": gettext_lazy("Choose a file to upload."),
            "empty": gettext_lazy("The file is empty."),
            "max_length": gettext_lazy("The file name is too long (at most %(max)d characters)."),
        },
    )

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        self.tenant = tenant
        super().__init__(*args, **kwargs)
        types = allowed_file_types()
        self.fields["file"].widget.attrs["accept"] = ",".join(f".{e}" for e in sorted(types))
        self.fields["file"].help_text = _("Up to %(size)s. Allowed: %(types)s.") % {
            "size": size_in_megabytes(settings.UPLOADS_FILE_MAX_BYTES),
            "types": allowed_types_listed(),
        }
        file_size_limit(self.fields["file"], settings.UPLOADS_FILE_MAX_BYTES)

    def room_limit(self, room: StorageRoom, *, may_upgrade: bool) -> None:
        """Let the browser refuse a file the plan's storage cap has no room for, in the
        words `save` would refuse it with once sent."""
        refused = room.refusal(size=size_slot(), may_upgrade=may_upgrade)
        if room.left < settings.UPLOADS_FILE_MAX_BYTES:
            # The hint's "Up to 25 MB" would promise more than the plan has room for.
            values = {
                "size": size_in_megabytes(room.left, rounded_down=True),
                "plan": room.plan.name,
                "limit": room.plan.storage_label,
                "types": allowed_types_listed(),
            }
            self.fields["file"].help_text = (
                _(
                    "Up to %(size)s: what is left of the %(plan)s plan's %(limit)s of storage. "
                    "Allowed: %(types)s."
                )
                if room.left
                else _(
                    "The %(plan)s plan's %(limit)s of storage is full: delete files to upload "
                    "more. Allowed: %(types)s."
                )
            ) % values
        file_room_limit(
            self.fields["file"],
            room_bytes=room.left,
            refusal=refused.message,
            upgrade_url=refused.upgrade_url,
        )

    def clean_file(self) -> Any:
        """The refusal names the file: the browser empties the field after the post, so
        the page is all that says which of the files picked was refused."""
        upload = self.cleaned_data["file"]
        try:
            self._check(upload)
        except ValidationError as refused:
            raise _named(upload.name, refused) from refused
        return upload

    def _check(self, upload: Any) -> None:
        limit = settings.UPLOADS_FILE_MAX_BYTES
        if upload.size > limit:
            raise ValidationError(
                _("This file is %(size)s; the limit is %(limit)s.")
                % {"size": size_in_megabytes(upload.size), "limit": size_in_megabytes(limit)},
                code="too_large",
            )
        upload.seek(0)
        head = upload.read(SIGNATURE_BYTES)
        upload.seek(0)
        self.extension, self.content_type = file_type_check(filename=upload.name or "", head=head)

    def create(self, *, uploaded_by: User | None, uploaded_by_label: str = "") -> Upload:
        """The stored upload; PlanLimitReached when the plan's storage cap has no room
        (the API answers it as every plan cap: 403 `plan-limit`)."""
        return services.upload_create(
            tenant=self.tenant,
            uploaded_by=uploaded_by,
            uploaded_by_label=uploaded_by_label,
            file=self.cleaned_data["file"],
            extension=self.extension,
            content_type=self.content_type,
        )

    def save(self, *, uploaded_by: User | None) -> Upload | None:
        """The stored upload, or None with the service's refusal (the plan's storage
        cap) added to the form, for the files page."""
        try:
            return self.create(uploaded_by=uploaded_by)
        except PlanLimitReached as refused:
            self.upgrade_url = refused.upgrade_url
            name = self.cleaned_data["file"].name
            cap = ValidationError(refused.message, code="plan_storage_limit")
            self.add_error("file", _named(name, cap))
            return None
