"""Tenant pages owned by the tenants app (dashboard, members, roles, teams, settings)."""

from django.urls import path

from tenants.views import audit, dashboard, members, roles, settings, teams, two_factor

app_name = "tenant"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("checklist/dismiss/", dashboard.checklist_dismiss, name="checklist-dismiss"),
    path("members/", members.member_list, name="members"),
    path("members/leave/", members.member_leave, name="leave"),
    path("members/<int:membership_id>/role/", members.member_role, name="member-role"),
    path("members/<int:membership_id>/remove/", members.member_remove, name="member-remove"),
    path("members/<int:membership_id>/primary/", members.member_primary, name="member-primary"),
    path("members/<int:membership_id>/billing/", members.member_billing, name="member-billing"),
    path("members/invites/", members.invite_create, name="invite-create"),
    path(
        "members/invites/<int:invitation_id>/resend/",
        members.invite_resend,
        name="invite-resend",
    ),
    path(
        "members/invites/<int:invitation_id>/cancel/",
        members.invite_cancel,
        name="invite-cancel",
    ),
    path("roles/", roles.role_list_view, name="roles"),
    path("roles/new/", roles.role_create, name="role-create"),
    path("roles/<int:role_id>/", roles.role_edit, name="role-edit"),
    path("roles/<int:role_id>/delete/", roles.role_delete, name="role-delete"),
    path("teams/", teams.team_list, name="teams"),
    path("teams/new/", teams.team_create, name="team-create"),
    path("teams/suggest/", teams.team_member_suggest, name="team-member-suggest"),
    path("teams/<int:team_id>/", teams.team_edit, name="team-edit"),
    path("teams/<int:team_id>/delete/", teams.team_delete, name="team-delete"),
    path("teams/<int:team_id>/members/", teams.team_member_add, name="team-member-add"),
    path("teams/<int:team_id>/people/", teams.team_members, name="team-members"),
    path(
        "teams/<int:team_id>/members/<int:membership_id>/remove/",
        teams.team_member_remove,
        name="team-member-remove",
    ),
    path("settings/", settings.settings_page, name="settings"),
    path("settings/rename/", settings.tenant_rename, name="rename"),
    path("settings/url/", settings.tenant_slug, name="slug"),
    path("settings/transfer/", settings.ownership_transfer, name="transfer"),
    path("settings/transfer/candidates/", settings.owner_candidates, name="owner-candidates"),
    path("settings/delete/", settings.tenant_delete, name="delete"),
    path("settings/two-factor/", two_factor.two_factor_policy, name="two-factor-policy"),
    path("two-factor-required/", two_factor.required, name="two-factor-required"),
    path("audit/", audit.audit_log, name="audit"),
    path("audit/export.csv", audit.audit_export, name="audit-export"),
]
