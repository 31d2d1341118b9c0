from django.urls import path

from tenants import views

app_name = "tenants"

urlpatterns = [
    path("app/", views.app, name="app"),
]
