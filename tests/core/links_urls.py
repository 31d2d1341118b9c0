"""A second URLconf for tests/core/test_links.py: `home` lives elsewhere here."""

from django.http import HttpResponse
from django.urls import path


def _view(request: object, **kwargs: object) -> HttpResponse:
    return HttpResponse("")


urlpatterns = [
    path("elsewhere/", _view, name="home"),
    path("w/<slug:tenant_slug>/probe/<int:pk>/", _view, name="probe"),
]
