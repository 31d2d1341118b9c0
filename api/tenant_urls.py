"""URLs under /t/<slug>/settings/api-keys/ (TenantMiddleware sets request.tenant)."""

from django.urls import path

from api import views

app_name = "api-keys"

urlpatterns = [
    path("", views.key_list, name="list"),
    path("new/", views.key_create, name="create"),
    path("<int:key_id>/revoke/", views.key_revoke, name="revoke"),
]
