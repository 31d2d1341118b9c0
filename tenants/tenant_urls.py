"""Every URL under /t/<slug>/. TenantMiddleware resolves the tenant for all of them."""

from django.urls import include, path

urlpatterns = [
    path("", include("tenants.tenant_pages")),
    path("files/", include("uploads.tenant_urls")),
    path("billing/", include("billing.tenant_urls")),
]
