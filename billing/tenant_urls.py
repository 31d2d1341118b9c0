"""URLs under /t/<slug>/billing/ (TenantMiddleware sets request.tenant)."""

from django.urls import path  # noqa: F401

app_name = "billing"

urlpatterns: list = []
