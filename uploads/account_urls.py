"""URLs under /account/avatar/."""

from django.urls import path

from uploads import views

app_name = "avatar"

urlpatterns = [
    path("", views.avatar_update, name="update"),
    path("preview/", views.avatar_preview, name="preview"),
    path("remove/", views.avatar_remove, name="remove"),
]
