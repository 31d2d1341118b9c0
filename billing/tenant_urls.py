"""URLs under /t/<slug>/billing/ (TenantMiddleware sets request.tenant)."""

from django.urls import path

from billing import views

app_name = "billing"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("checkout/", views.checkout, name="checkout"),
    path("portal/", views.portal, name="portal"),
    path("portal/local/", views.portal_local, name="local-portal"),
    path("portal/local/act/", views.portal_local_act, name="local-portal-act"),
    path("success/", views.success, name="success"),
    path("cancel/", views.cancel, name="cancel"),
    path("detach/", views.detach, name="detach"),
    path("workspaces/<int:tenant_id>/detach/", views.tenant_detach, name="tenant-detach"),
]
