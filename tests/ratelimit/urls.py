"""The project's URLconf plus trivial views under their own namespaces (`rl-*`); the
middleware tests point the rate-limit settings at these names (see `_stand_in_views`),
so they do not depend on other apps' views. The real URLs stay registered for the
page templates' {% url %} tags."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from config import urls as project_urls
from ratelimit.decorators import rate_limit


def ok(request: HttpRequest, **kwargs: str) -> HttpResponse:
    return HttpResponse("ok")


@rate_limit(tier="email-send")
def resend(request: HttpRequest) -> HttpResponse:
    return HttpResponse("sent")


accounts = [
    path("auth/sign-in/", ok, name="sign-in"),
    path("auth/sign-up/", ok, name="sign-up"),
    path("auth/password/forgot/", ok, name="password-forgot"),
    path("auth/password/reset/<str:token>/", ok, name="password-reset"),
]

urlpatterns = [
    path("rl/healthz/", ok, name="rl-healthz"),
    path("page/", ok, name="page"),
    path("resend/", resend, name="resend"),
    path("rl/", include((accounts, "rl-accounts"))),
    path("rl/serve/", include(([path("<str:folder>/<str:name>", ok, name="serve")], "rl-serve"))),
    path("rl/billing/", include(([path("stripe/webhook/", ok, name="webhook")], "rl-stripe"))),
    path("rl/api/", include(([path("things/", ok, name="things")], "rl-api"))),
    *project_urls.urlpatterns,
]
