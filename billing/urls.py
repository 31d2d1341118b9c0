"""Provider callbacks, mounted at /billing/ (outside any tenant)."""

from django.urls import path

from billing import views

app_name = "stripe"

urlpatterns = [
    path("stripe/webhook/", views.stripe_webhook, name="webhook"),
]
