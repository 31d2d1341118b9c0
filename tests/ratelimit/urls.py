"""A URLconf with the same URL names the rate-limit settings match, and trivial views,
so the middleware is tested without depending on other apps' views."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

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
    path("healthz/", ok, name="healthz"),
    path("page/", ok, name="page"),
    path("resend/", resend, name="resend"),
    path("", include((accounts, "accounts"))),
    path("serve/", include(([path("<str:folder>/<str:name>", ok, name="serve")], "uploads"))),
    path("billing/", include(([path("stripe/webhook/", ok, name="webhook")], "stripe"))),
]
