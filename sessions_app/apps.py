from __future__ import annotations

from django.apps import AppConfig

from core.audit_actions import audit_actions_register


class SessionsAppConfig(AppConfig):
    name = "sessions_app"
    verbose_name = "Sessions"

    def ready(self) -> None:
        # Imported here: it reads the models, which load only once every app is.
        from sessions_app.audit import FIELDS, GROUP, VALUES, SessionAction

        audit_actions_register(
            SessionAction,
            destructive=[SessionAction.REVOKED],
            fields=FIELDS,
            values=VALUES,
            group=GROUP,
        )
        from django.contrib.auth.signals import user_logged_in

        from sessions_app.authentication import on_user_logged_in

        user_logged_in.connect(on_user_logged_in, dispatch_uid="sessions_app.authenticated")
        from sessions_app import checks  # noqa: F401 - registers the system checks
