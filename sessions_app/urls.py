from __future__ import annotations

from django.urls import path

from sessions_app import views

app_name = "sessions"

urlpatterns = [
    path("", views.list_sessions, name="list"),
    path("<int:pk>/revoke/", views.revoke, name="revoke"),
    path("revoke-others/", views.revoke_others, name="revoke-others"),
    path(
        "revoke-without-two-factor/",
        views.revoke_without_second_step,
        name="revoke-without-second-step",
    ),
]
