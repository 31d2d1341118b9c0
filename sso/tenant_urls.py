"""URLs under /t/<slug>/settings/ for domains and SSO (TenantMiddleware sets request.tenant)."""

from django.urls import path

from sso import views_settings

app_name = "sso_settings"

urlpatterns = [
    path("domains/", views_settings.domains, name="domains"),
    path("domains/add/", views_settings.domain_create, name="domain-add"),
    path("domains/<int:domain_id>/verify/", views_settings.domain_check, name="domain-verify"),
    path("domains/<int:domain_id>/remove/", views_settings.domain_delete, name="domain-remove"),
    path("sso/", views_settings.connection, name="connection"),
    path("sso/save/", views_settings.connection_update, name="connection-save"),
    path("sso/saml/save/", views_settings.connection_saml_update, name="connection-saml-save"),
    path(
        "sso/saml/refresh/",
        views_settings.connection_saml_refresh,
        name="connection-saml-refresh",
    ),
    path("sso/test/", views_settings.connection_test, name="connection-test"),
    path(
        "sso/requests/<int:request_id>/approve/",
        views_settings.join_request_answer,
        {"decision": "approve"},
        name="join-approve",
    ),
    path(
        "sso/requests/<int:request_id>/decline/",
        views_settings.join_request_answer,
        {"decision": "decline"},
        name="join-decline",
    ),
]
