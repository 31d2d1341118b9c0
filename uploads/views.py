"""Avatar (account), logo (tenant settings) and tenant file pages. HTTP glue only.

The avatar and logo cards work with and without htmx: with it, choosing a file
posts to `preview` (nothing stored) and shows the cropped result; saving
reloads the page so the header shows the new image. Without it, the form posts
and redirects back with a message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.decorators import verified_email_required
from billing.plans import plan_storage_room
from core.decorators import tenant_permission_required
from core.paging import page_query
from core.permissions import BILLING_MANAGE, FILES_MANAGE, TENANT_UPDATE
from core.request_limits import accepts_body
from core.same_site import same_site_url
from core.text import isolated
from core.types import TenantRequest
from core.views import tenant_context
from ratelimit.decorators import rate_limit
from uploads import selectors, services
from uploads.forms import AvatarForm, FileUploadForm, ImageUploadForm, LogoForm
from uploads.images import image_preview_data_uri

if TYPE_CHECKING:
    from billing.plans import StorageRoom
    from core.types import AuthenticatedRequest

AVATAR_CARD = "uploads/avatar_card.html"
LOGO_CARD = "uploads/logo_card.html"


def _back(request: HttpRequest, fallback: str) -> str:
    """Where to return after a card's action: `next` when it is a same-site path."""
    return same_site_url(request, request.POST.get("next", "")) or fallback


def _done(request: HttpRequest, fallback: str, message: str) -> HttpResponse:
    messages.success(request, message)
    target = _back(request, fallback)
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(target)
    return redirect(target)


def _invalid(
    request: HttpRequest, form: ImageUploadForm, template: str, fallback: str
) -> HttpResponse:
    if getattr(request, "htmx", False):
        context = {"image_form": form, "next": _back(request, fallback)}
        return render(request, template, context)
    for error in form.errors.get("image", []):
        messages.error(request, str(error))  # the message (ErrorList.__getitem__)
    return redirect(_back(request, fallback))


def _preview(request: HttpRequest, form: ImageUploadForm, template: str) -> HttpResponse:
    context: dict[str, Any] = {"form": form}
    if form.is_valid():
        context["preview_src"] = image_preview_data_uri(form.cleaned_data["image"])
    return render(request, f"{template}#preview", context)


# --- Avatar (/account/avatar/) ----------------------------------------------------


# Decoding an image costs CPU and RAM: its own budget per user ("image" tier), and a
# body larger than the image limit is refused (413) before it is read.
image_endpoint = accepts_body(setting="UPLOADS_IMAGE_MAX_BYTES")
image_rate_limit = rate_limit(tier="image")


@login_required
@require_POST
@image_endpoint
@verified_email_required
@image_rate_limit
def avatar_update(request: AuthenticatedRequest) -> HttpResponse:
    fallback = reverse("accounts:profile")
    form = AvatarForm(request.POST, request.FILES)
    if not form.is_valid():
        return _invalid(request, form, AVATAR_CARD, fallback)
    form.save(user=request.user)
    return _done(request, fallback, _("Your profile picture has been updated."))


@login_required
@require_POST
@image_endpoint
@verified_email_required
@image_rate_limit
def avatar_preview(request: AuthenticatedRequest) -> HttpResponse:
    return _preview(request, AvatarForm(request.POST, request.FILES), AVATAR_CARD)


@login_required
@require_POST
def avatar_remove(request: AuthenticatedRequest) -> HttpResponse:
    services.avatar_remove(user=request.user)
    return _done(request, reverse("accounts:profile"), _("Your profile picture has been removed."))


# --- Tenant logo (/t/<slug>/files/logo/) --------------------------------------------


def _tenant_home(request: TenantRequest) -> str:
    return reverse("tenant:dashboard", kwargs={"tenant_slug": request.tenant.slug})


@require_POST
@tenant_permission_required(TENANT_UPDATE)
@image_endpoint
@verified_email_required
@image_rate_limit
def logo_update(request: TenantRequest) -> HttpResponse:
    form = LogoForm(request.POST, request.FILES, tenant=request.tenant)
    if not form.is_valid():
        return _invalid(request, form, LOGO_CARD, _tenant_home(request))
    form.save(tenant=request.tenant, acting_user=request.user)
    return _done(request, _tenant_home(request), _("The logo has been updated."))


@require_POST
@tenant_permission_required(TENANT_UPDATE)
@image_endpoint
@verified_email_required
@image_rate_limit
def logo_preview(request: TenantRequest) -> HttpResponse:
    return _preview(
        request, LogoForm(request.POST, request.FILES, tenant=request.tenant), LOGO_CARD
    )


@require_POST
@tenant_permission_required(TENANT_UPDATE)
def logo_remove(request: TenantRequest) -> HttpResponse:
    services.logo_remove(tenant=request.tenant, acting_user=request.user)
    return _done(request, _tenant_home(request), _("The logo has been removed."))


# --- Tenant files (/t/<slug>/files/) -------------------------------------------------

# Rows per page of the files list (newest first): a workspace may hold thousands.
PAGE_SIZE = 50


def _file_list_page(
    request: TenantRequest, form: FileUploadForm, status: int = 200
) -> HttpResponse:
    listed = selectors.upload_page(
        tenant=request.tenant, number=request.GET.get("page"), per_page=PAGE_SIZE
    )
    page = listed.page
    can_manage = request.role.has_permission(FILES_MANAGE)
    # What the plan's storage cap leaves; `storage_used` came with the page's rows (the
    # page's query count is pinned), None for a workspace without files.
    room = (
        plan_storage_room(tenant=request.tenant, used_bytes=listed.storage_used)
        if can_manage and listed.storage_used is not None
        else None
    )
    if room is not None:
        # Whether the refusal offers an upgrade: the role the request already holds, as
        # the billing middleware's 403 page reads it, not the database again.
        form.room_limit(room, may_upgrade=request.role.has_permission(BILLING_MANAGE))
    context = tenant_context(
        request,
        tab="files",
        files=page.object_list,
        page=page,
        total_size=listed.files_size,
        form=form if can_manage else None,
        can_manage=can_manage,
        storage=_storage_against_cap(room) if room is not None else None,
    )
    return render(request, "uploads/file_list.html", context, status=status)


def _storage_against_cap(room: StorageRoom) -> dict[str, Any]:
    """What the plan's storage cap leaves, said beside the upload form: the walk first
    learnt a downgrade had left it over the cap from a refused upload."""
    return {
        "used": room.used,
        "cap": room.plan.storage_label,
        "plan": room.plan.name,
        "over": not room.left,
    }


@require_GET
def file_list(request: TenantRequest) -> HttpResponse:
    return _file_list_page(request, FileUploadForm(tenant=request.tenant))


@require_POST
@tenant_permission_required(FILES_MANAGE)
@accepts_body(setting="UPLOADS_FILE_MAX_BYTES")
@verified_email_required
def file_upload(request: TenantRequest) -> HttpResponse:
    form = FileUploadForm(request.POST, request.FILES, tenant=request.tenant)
    upload = form.save(uploaded_by=request.user) if form.is_valid() else None
    if upload is None:
        return _file_list_page(request, form, status=400)
    name = {"name": isolated(upload.original_filename)}
    if selectors.upload_name_shared(tenant=request.tenant, upload=upload):
        messages.success(
            request,
            _(
                "Uploaded %(name)s. A file of that name was already here: both are kept,"
                " the new one listed first."
            )
            % name,
        )
    else:
        messages.success(request, _("Uploaded %(name)s.") % name)
    return redirect("files:list", tenant_slug=request.tenant.slug)


@require_GET
def file_download(request: TenantRequest, pk: int) -> HttpResponse:
    """A stable tenant-scoped link; /serve checks membership again and streams."""
    upload = selectors.upload_get(tenant=request.tenant, pk=pk)
    return redirect(upload.url)


@require_POST
@tenant_permission_required(FILES_MANAGE)
def file_delete(request: TenantRequest, pk: int) -> HttpResponse:
    upload = selectors.upload_get(tenant=request.tenant, pk=pk)
    services.upload_delete(tenant=request.tenant, upload=upload, acting_user=request.user)
    messages.success(request, _("Deleted %(name)s.") % {"name": isolated(upload.original_filename)})
    files = reverse("files:list", kwargs={"tenant_slug": request.tenant.slug})
    return redirect(files + page_query(request.POST.get("page")))
