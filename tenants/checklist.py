"""The overview's setup checklist: the steps a new workspace's people take first.

Each step is one `SetupStep` in `SETUP_STEPS`, which decides from `SetupFacts` (loaded
once for the whole overview, so a step costs no query) whether it applies to this
person here and whether it is done. To add a step (two-factor authentication, say),
append one entry; the page, the counts and the dismissal follow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext, gettext_noop

from core.links import link
from core.permissions import BILLING_MANAGE, MEMBERS_INVITE, TENANT_UPDATE

if TYPE_CHECKING:
    from accounts.models import User
    from tenants.models import Role, Tenant


@dataclass(frozen=True)
class SetupFacts:
    """What the steps are decided from, all in memory already."""

    user: User
    tenant: Tenant
    role: Role
    member_count: int
    pending_invitations: int
    billing_enabled: bool


@dataclass(frozen=True)
class SetupStep:
    """One step; its texts are marked with gettext_noop and translated per request."""

    key: str
    title: str
    description: str
    action_label: str
    # Where the action happens; `action_post` sends a form there instead of a link.
    action_url: Callable[[SetupFacts], str]
    applies: Callable[[SetupFacts], bool]
    done: Callable[[SetupFacts], bool]
    action_post: bool = False


@dataclass(frozen=True)
class ChecklistItem:
    """A step as this person sees it on the page."""

    key: str
    title: str
    description: str
    action_label: str
    action_url: str
    action_post: bool
    done: bool


def _tenant_url(name: str, anchor: str = "") -> Callable[[SetupFacts], str]:
    def url(facts: SetupFacts) -> str:
        return link(name, facts.tenant.slug) + anchor

    return url


def _may(code: str) -> Callable[[SetupFacts], bool]:
    """Org-only steps that need a permission (a personal workspace has one person)."""
    return lambda facts: facts.tenant.is_org and facts.role.has_permission(code)


SETUP_STEPS: tuple[SetupStep, ...] = (
    SetupStep(
        key="email",
        title=gettext_noop("Confirm your email address"),
        description=gettext_noop(
            "We sent you a link. Confirmed addresses can invite people and upload files."
        ),
        action_label=gettext_noop("Resend the email"),
        action_url=lambda facts: link("accounts:verify-email-resend"),
        action_post=True,
        applies=lambda facts: True,
        done=lambda facts: facts.user.is_email_verified,
    ),
    SetupStep(
        key="invite",
        title=gettext_noop("Invite a teammate"),
        description=gettext_noop("Work together: invitations are emailed and last seven days."),
        action_label=gettext_noop("Invite people"),
        action_url=_tenant_url("tenant:members", "#invite-panel"),
        applies=_may(MEMBERS_INVITE),
        done=lambda facts: facts.member_count > 1 or facts.pending_invitations > 0,
    ),
    SetupStep(
        key="logo",
        title=gettext_noop("Add your logo"),
        description=gettext_noop(
            "It appears in the workspace switcher, so everyone knows where they are."
        ),
        action_label=gettext_noop("Add a logo"),
        action_url=_tenant_url("tenant:settings", "#logo-card"),
        applies=_may(TENANT_UPDATE),
        done=lambda facts: bool(facts.tenant.logo),
    ),
    SetupStep(
        key="plan",
        title=gettext_noop("Choose a plan"),
        description=gettext_noop(
            "Paid plans raise the member and storage limits of this workspace."
        ),
        action_label=gettext_noop("Compare plans"),
        action_url=_tenant_url("billing:overview", "#plans-heading"),
        # Only where the plan can be chosen: billing is set up and this workspace's own
        # account pays (another workspace's account is managed there).
        applies=lambda facts: (
            _may(BILLING_MANAGE)(facts)
            and facts.billing_enabled
            and facts.tenant.account.home_tenant_id == facts.tenant.pk
        ),
        done=lambda facts: facts.tenant.account.has_live_subscription,
    ),
)


def checklist_items(facts: SetupFacts) -> list[ChecklistItem]:
    """The steps that apply to this person in this workspace, in order."""
    return [
        ChecklistItem(
            key=step.key,
            title=gettext(step.title),
            description=gettext(step.description),
            action_label=gettext(step.action_label),
            action_url=step.action_url(facts),
            action_post=step.action_post,
            done=step.done(facts),
        )
        for step in SETUP_STEPS
        if step.applies(facts)
    ]
