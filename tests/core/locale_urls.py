"""A URLconf with language prefixes, for tests/core/test_locale.py (ours has none)."""

from django.conf.urls.i18n import i18n_patterns
from django.http import HttpResponse
from django.urls import path


def _view(request: object) -> HttpResponse:
    return HttpResponse("")


urlpatterns = i18n_patterns(path("page/", _view, name="page"))
