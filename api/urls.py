"""/api/v1/: the operations, the schema (openapi.json) and the docs page."""

from typing import Any, cast

from django.urls import path, re_path
from django.views.decorators.http import require_GET

from api import views
from api.problems import body_too_large, file_too_large, methods_as_documented
from api.v1 import api
from core.request_limits import accepts_body

_patterns, _app, _namespace = api.urls
for pattern in cast(list[Any], _patterns):  # URLPatterns, whose callbacks we wrap
    if pattern.name == "openapi-json":  # ninja serves it whatever the method
        pattern.callback = require_GET(pattern.callback)
    pattern.callback = methods_as_documented(pattern.callback)
    if str(pattern.pattern) == "files":
        # POST /files takes an upload: the files page's limit, refused before it is read.
        accepts_body(setting="UPLOADS_FILE_MAX_BYTES", too_large=file_too_large)(pattern.callback)
    else:
        # JSON: what Django reads into memory, refused as a problem too.
        accepts_body(setting="DATA_UPLOAD_MAX_MEMORY_SIZE", too_large=body_too_large)(
            pattern.callback
        )

urlpatterns = [
    path("v1/docs/", views.docs, name="api-docs"),
    # The root has no operation: the API's 404 problem, also with DEBUG on, where an
    # Http404 from the include below answered Django's HTML debug page.
    path("", views.not_found),
    path("v1/", views.not_found),
    path("v1/", (_patterns, _app, _namespace)),
    # Any other path under v1/ is the API's 404 problem here, not only through
    # handler404: with DEBUG on (`make run`) Django answered its HTML debug page, so
    # an integration built against the demo met a different 404. `v1/docs` alone is
    # left unresolved, so CommonMiddleware still adds its slash.
    re_path(r"^v1/(?!docs$)", views.not_found),
]
