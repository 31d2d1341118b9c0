"""`/serve/<tenant-folder>/<filename>`: both parts are validated by the view itself."""

from django.urls import path

from uploads.serve import serve

app_name = "uploads"

urlpatterns = [
    path("<str:folder>/<str:filename>", serve, name="serve"),
]
