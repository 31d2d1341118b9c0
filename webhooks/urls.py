"""Public webhook pages: the reference (/webhooks/reference/)."""

from django.urls import path

from webhooks.reference import webhooks_reference

app_name = "webhooks-docs"

urlpatterns = [
    path("reference/", webhooks_reference, name="reference"),
]
