"""Tenant pages owned by the tenants app (dashboard, members, roles, teams, settings)."""

from django.urls import path

from tenants import views

app_name = "tenant"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
