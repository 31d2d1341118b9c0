"""URLs under /t/<slug>/files/ (TenantMiddleware sets request.tenant)."""

from django.urls import path  # noqa: F401

app_name = "files"

urlpatterns: list = []
