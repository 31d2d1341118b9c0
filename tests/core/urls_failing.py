"""The site's URLs and two paths that fail with a bug of ours (tests/core/test_request_id.py)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500, urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def fails(request: HttpRequest) -> HttpResponse:
    raise ValueError("a bug of ours")


urlpatterns = [path("test/fails/", fails), path("api/v1/test/fails", fails), *urlpatterns]
