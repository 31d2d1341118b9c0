from django.conf import settings
from django.contrib import admin
from django.urls import include, path, reverse_lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from config import health, views

# The admin says whose it is, in its header, page titles and home page.
# Lazy: in the language of each admin page.
admin.site.site_header = format_lazy(_("{product} admin"), product=settings.PRODUCT_NAME)
admin.site.site_title = format_lazy(_("{product} admin"), product=settings.PRODUCT_NAME)
admin.site.index_title = _("Operations")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", health.healthz, name="healthz"),
    path("readyz/", health.readyz, name="readyz"),
    # The admin's own "change password" form skips ours (other devices signed out, the
    # notice email): staff change their password on their account page like everyone.
    path(
        "admin/password_change/",
        RedirectView.as_view(url=format_lazy("{}#password", reverse_lazy("accounts:profile"))),
    ),
    path("admin/", admin.site.urls),
    # set_language: the signed-out footer's language picker (a cookie; signed-in people
    # choose on their account page).
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("accounts.urls")),
    path("", include("sso.urls")),
    path("", include("tenants.urls")),
    path("t/<slug:tenant_slug>/", include("tenants.tenant_urls")),
    path("invites/", include("tenants.invite_urls")),
    path("account/sessions/", include("sessions_app.urls")),
    path("account/security/", include("mfa.urls")),
    path("account/avatar/", include("uploads.account_urls")),
    path("serve/", include("uploads.urls")),
    path("billing/", include("billing.urls")),
    path("api/", include("api.urls")),
    path("webhooks/", include("webhooks.urls")),
    path("scim/v2/<slug:org_slug>/", include("scim.api_urls")),
    path("support/", include("support.urls")),
]

if settings.BENCH_ENDPOINTS:  # `make bench` only; off by default (see bench/run.py)
    urlpatterns.append(path("bench/", include("bench.urls")))

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.errors.server_error"  # 503 when PostgreSQL/Redis is down
