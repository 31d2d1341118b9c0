from django.urls import path
from django.views.generic import RedirectView

app_name = "tenants"

urlpatterns = [
    path("app/", RedirectView.as_view(pattern_name="accounts:profile"), name="app"),
]
