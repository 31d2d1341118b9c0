"""/t/<slug>/settings/scim/: the organisation's SCIM connection (TenantMiddleware
resolves the tenant)."""

from django.urls import path

from scim import views

app_name = "scim"

urlpatterns = [
    path("", views.scim_settings, name="settings"),
    path("token/", views.scim_token_rotate, name="token-rotate"),
    path("disable/", views.scim_disable, name="disable"),
]
