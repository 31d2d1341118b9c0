from django.urls import path

from sso import views_org, views_saml, views_social

app_name = "sso"

urlpatterns = [
    path("auth/sso/", views_org.sso_start, name="start"),
    path("auth/sso/callback/", views_org.sso_callback, name="callback"),
    path(
        "auth/saml/<int:tenant_id>/metadata/",
        views_saml.saml_metadata,
        name="saml-metadata",
    ),
    path("auth/saml/<int:tenant_id>/acs/", views_saml.saml_acs, name="saml-acs"),
    path("auth/saml/<int:tenant_id>/finish/", views_saml.saml_finish, name="saml-finish"),
    path("auth/saml/<int:tenant_id>/continue/", views_saml.saml_continue, name="saml-continue"),
    path("auth/sso/<int:connection_id>/confirm/", views_org.org_reauth, name="reauth"),
    # Before the provider routes: "link" is not a provider.
    path("auth/social/link/<str:token>/", views_social.social_link, name="social-link"),
    path("auth/social/<str:provider>/", views_social.social_start, name="social-start"),
    path(
        "auth/social/<str:provider>/callback/",
        views_social.social_callback,
        name="social-callback",
    ),
    path("auth/social/<str:provider>/confirm/", views_social.social_reauth, name="social-reauth"),
    path(
        "account/security/social/<str:provider>/connect/",
        views_social.social_connect,
        name="social-connect",
    ),
    path(
        "account/security/social/<str:provider>/disconnect/",
        views_social.social_disconnect,
        name="social-disconnect",
    ),
]
