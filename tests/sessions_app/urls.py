"""A minimal URLconf so query-count tests measure the session, nothing else."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path


@login_required
def whoami(request: HttpRequest) -> HttpResponse:
    return HttpResponse(request.user.email)


def tenant_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"{request.user.email} in {request.tenant.slug} as {request.role.name}")


urlpatterns = [
    path("whoami/", whoami),
    path("t/<slug:tenant_slug>/", tenant_page),
    path("", include("config.urls")),
]
