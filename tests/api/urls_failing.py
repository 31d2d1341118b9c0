"""The site's URLs, and one API path whose database is gone (tests/api/test_server_errors.py):
Django's database wrapper raises OperationalError when PostgreSQL does not answer."""

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500, urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def database_gone(request: HttpRequest) -> HttpResponse:
    raise OperationalError('connection to server at "db" (10.0.0.5), port 5432 failed')


urlpatterns = [path("api/v1/test/database-gone", database_gone), *urlpatterns]
