"""Every URL under /t/<slug>/. TenantMiddleware resolves the tenant for all of them."""

from django.urls import include, path

urlpatterns = [
    path("", include("tenants.tenant_pages")),
    path("files/", include("uploads.tenant_urls")),
    path("billing/", include("billing.tenant_urls")),
    # Apps above tenancy, included by name (never imported): API keys and webhooks.
    path("settings/api-keys/", include("api.tenant_urls")),
    path("settings/webhooks/", include("webhooks.tenant_urls")),
    path("settings/", include("sso.tenant_urls")),
    path("settings/scim/", include("scim.tenant_urls")),
]
