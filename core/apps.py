from __future__ import annotations

from django.apps import AppConfig
from django.core.checks import Tags, register
from django.core.signals import request_finished

from core.audit_actions import STAFF_GROUP, StaffAction, audit_actions_register
from core.checks import (
    check_confirm_order,
    check_development_switches,
    check_dns_servers,
    check_htmx_messages_order,
    check_site_url,
    check_tasks_backend,
    check_template_library_names,
)
from core.request_id import request_id_forget


class CoreConfig(AppConfig):
    """The floor every app stands on: the audit log, client IPs, request types, errors.

    It imports no other app of the project (the import-linter contract in
    pyproject.toml says so, and `make test` checks it).
    """

    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        audit_actions_register(StaffAction, destructive=[StaffAction.DELETED], group=STAFF_GROUP)
        register(check_htmx_messages_order)
        register(check_confirm_order)
        register(check_template_library_names, Tags.templates)
        register(check_dns_servers)
        register(check_site_url, Tags.security, deploy=True)
        register(check_tasks_backend, Tags.security, deploy=True)
        register(check_development_switches, Tags.security, deploy=True)
        request_finished.connect(request_id_forget, dispatch_uid="core.request_id_forget")
