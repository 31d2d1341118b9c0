"""URLs under /t/<slug>/files/ (TenantMiddleware sets request.tenant)."""

from django.urls import path

from uploads import views

app_name = "files"

urlpatterns = [
    path("", views.file_list, name="list"),
    path("upload/", views.file_upload, name="upload"),
    path("<int:pk>/download/", views.file_download, name="download"),
    path("<int:pk>/delete/", views.file_delete, name="delete"),
    path("logo/", views.logo_update, name="logo"),
    path("logo/preview/", views.logo_preview, name="logo-preview"),
    path("logo/remove/", views.logo_remove, name="logo-remove"),
]
