"""Tenant actions. Each owns its transaction, validates before writing, takes
`acting_user=` (None for system actions) so an audit log can be added in one place,
and notifies other apps through signals after commit."""

from tenants.services.member_state import membership_checklist_dismiss, membership_mark_visited
from tenants.services.memberships import (
    billing_contact_removal_refusal,
    membership_change_role,
    membership_create,
    membership_departure_refusal,
    membership_leave,
    membership_reactivate,
    membership_remove,
    membership_set_billing_contact,
    membership_set_primary_contact,
    membership_suspend,
)
from tenants.services.roles import role_create, role_delete, role_delete_refusal, role_update
from tenants.services.teams import (
    team_create,
    team_delete,
    team_directory_refusal,
    team_member_add,
    team_member_remove,
    team_update,
)
from tenants.services.tenants import (
    account_choices_for,
    ownership_transfer,
    roles_create_builtin,
    slug_is_taken,
    tenant_change_slug,
    tenant_create_org,
    tenant_create_personal,
    tenant_delete,
    tenant_rename,
    tenant_slug_for,
)

__all__ = [
    "account_choices_for",
    "billing_contact_removal_refusal",
    "membership_change_role",
    "membership_checklist_dismiss",
    "membership_create",
    "membership_departure_refusal",
    "membership_leave",
    "membership_reactivate",
    "membership_mark_visited",
    "membership_remove",
    "membership_set_billing_contact",
    "membership_set_primary_contact",
    "membership_suspend",
    "ownership_transfer",
    "role_create",
    "role_delete",
    "role_delete_refusal",
    "role_update",
    "roles_create_builtin",
    "slug_is_taken",
    "team_create",
    "team_delete",
    "team_directory_refusal",
    "team_member_add",
    "team_member_remove",
    "team_update",
    "tenant_change_slug",
    "tenant_create_org",
    "tenant_create_personal",
    "tenant_delete",
    "tenant_rename",
    "tenant_slug_for",
]
