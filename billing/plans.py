"""Plans and the one question other apps ask: may this tenant do X under its plan?

Plans live in `settings.BILLING_PLANS` (read at use time). The API for other apps:

    from billing.plans import plan_allows, plan_require, plan_check_members, plan_check_storage

    plan_allows(tenant=t, feature="teams") -> bool          # may the tenant use it?
    plan_require(tenant=t, feature="teams") -> None         # raises PlanLimitReached
    plan_feature_gate(tenant=t, feature="teams") -> FeatureGate | None  # the upgrade card
    plan_limit(tenant=t, limit="max_members") -> int | None # None means unlimited
    plan_check_members(tenant=t, taken=n, adding=1) -> None # before adding/inviting people
    plan_check_storage(tenant=t, used_bytes=u, adding_bytes=n) -> None  # before an upload
    plan_storage_room(tenant=t, used_bytes=u) -> StorageRoom | None  # what the cap leaves
    plan_usage(tenant=t, seats_taken=n, storage_bytes=u) -> list[PlanUsage]  # to show

Each `plan_check_*`/`plan_require` raises `billing.exceptions.PlanLimitReached`
(a `PermissionDenied`) whose `message` explains the limit and says to upgrade, and
whose `upgrade_url` is the tenant's billing page (while billing is off, the message
says how to make room instead and there is no URL). Let it propagate (the billing
middleware renders a 403 page with an upgrade button) or catch it and show
`exc.message`.

Member caps count current members plus pending invitations; the caller counts them
(`tenants.selectors.tenant_seats_taken`): billing sits below tenancy and reads
nothing of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from billing.backends import billing_enabled
from billing.exceptions import PlanLimitReached
from billing.managers import billing_manager_tenant_ids
from core.file_limits import size_in_megabytes

if TYPE_CHECKING:
    from accounts.models import User
    from billing.models import Account
    from tenants.models import Tenant


@dataclass(frozen=True)
class Feature:
    key: str
    name: str
    # The name inside a sentence ("does not include custom roles"), translated apart:
    # German inflects it ("benutzerdefinierte Rollen", "vollständigen Audit-Verlauf").
    name_in_sentence: str
    description: str
    # Of no use in a personal workspace (teams, roles, keys, single sign-on).
    organisations_only: bool = False


def feature_get(key: str) -> Feature:
    """A feature of `settings.BILLING_FEATURES` (an undeclared key gets its own name)."""
    conf = settings.BILLING_FEATURES.get(key, {})
    name = conf.get("name", key.replace("_", " ").capitalize())
    return Feature(
        key=key,
        name=name,
        name_in_sentence=str(conf.get("in_sentence") or _in_sentence(str(name))),
        description=conf.get("description", ""),
        organisations_only=bool(conf.get("organisations_only", False)),
    )


@dataclass(frozen=True)
class Plan:
    key: str
    name: str
    price_label: str
    price_id: str
    per_seat: bool
    max_members: int | None
    max_storage_mb: int | None
    features: frozenset[str]
    api_rate: str = ""  # the JSON API's rate per key ("1000/15m"); "" = RATELIMIT_API

    @property
    def is_purchasable(self) -> bool:
        return bool(self.price_id)

    @property
    def storage_label(self) -> str:
        """The cap as it reads after "of" ("12 MB of 100 MB", "12 MB of unlimited")."""
        return (
            _size(self.max_storage_mb) if self.max_storage_mb is not None else gettext("unlimited")
        )

    def _features(self) -> list[Feature]:
        """The plan's features in settings order."""
        return [feature_get(key) for key in settings.BILLING_FEATURES if key in self.features]


def plan_features_gained(*, current: Plan, new: Plan) -> list[Feature]:
    """`new`'s features that `current` lacks, in settings order: what a move to `new`
    adds. An upgrade card lists only these: Free has teams too, so "Teams" on the Pro
    card read as something Free lacked."""
    return [f for f in new._features() if f.key not in current.features]


def plan_features_lost(*, current: Plan, new: Plan) -> list[Feature]:
    """`current`'s features that `new` lacks, in settings order: what a move to `new`
    takes away."""
    return [f for f in current._features() if f.key not in new.features]


def plan_limits_said(*, current: Plan, new: Plan) -> str:
    """The limits `new` lowers, in figures, as they read inside a sentence: "up to 100
    members per workspace (now unlimited) and 10 GB of storage per workspace (now
    100 GB)"; "" when none is lower. Said before a downgrade, so nobody learns the new
    cap from a refused invitation."""
    said = []
    if new.max_members is not None and (
        current.max_members is None or new.max_members < current.max_members
    ):
        now = gettext("unlimited") if current.max_members is None else str(current.max_members)
        said.append(
            ngettext(
                "up to %(limit)d member per workspace (now %(now)s)",
                "up to %(limit)d members per workspace (now %(now)s)",
                new.max_members,
            )
            % {"limit": new.max_members, "now": now}
        )
    if new.max_storage_mb is not None and (
        current.max_storage_mb is None or new.max_storage_mb < current.max_storage_mb
    ):
        said.append(
            gettext("%(size)s of storage per workspace (now %(now)s)")
            % {
                "size": new.storage_label,
                "now": gettext("unlimited")
                if current.max_storage_mb is None
                else current.storage_label,
            }
        )
    return _list_said(said)


def feature_names_said(features: list[Feature]) -> str:
    """Features named as they read inside a sentence: "teams, custom roles and single
    sign-on" (each feature's `name_in_sentence`)."""
    return _list_said([f.name_in_sentence for f in features])


def _list_said(said: list[str]) -> str:
    """ "a", "a and b", "a, b and c" in the reader's language."""
    if len(said) < 2:
        return "".join(said)
    # Translators: the separator between items of a list ("teams, custom roles and …").
    first = gettext(", ").join(said[:-1])
    return gettext("%(first)s and %(second)s") % {"first": first, "second": said[-1]}


def _in_sentence(name: str) -> str:
    """A feature declared without "in_sentence": "Teams" → "teams", but "API keys" stays
    as it is; German nouns keep their capital."""
    if (translation.get_language() or "").startswith("de"):
        return name
    return name[0].lower() + name[1:] if name[1:2].islower() else name


def plan_list() -> list[Plan]:
    """Every configured plan, in settings order."""
    return [
        Plan(
            key=key,
            name=conf["name"],
            price_label=conf.get("price_label", ""),
            price_id=conf.get("price_id", ""),
            per_seat=bool(conf.get("per_seat", False)),
            max_members=conf.get("max_members"),
            max_storage_mb=conf.get("max_storage_mb"),
            features=frozenset(conf.get("features", [])),
            api_rate=conf.get("api_rate", ""),
        )
        for key, conf in settings.BILLING_PLANS.items()
    ]


def plan_get(key: str) -> Plan | None:
    return next((p for p in plan_list() if p.key == key), None)


def plan_default() -> Plan:
    plan = plan_get(settings.BILLING_DEFAULT_PLAN)
    assert plan is not None, "billing.E001 (system check) guarantees the default plan exists"
    return plan


def plan_for_price(price_id: str) -> Plan | None:
    return next((p for p in plan_list() if price_id and p.price_id == price_id), None)


def plan_for_account(account: Account) -> Plan:
    """The plan in force: the subscribed plan while the subscription is live, else free.

    Without a configured billing provider every account is on the free plan.
    """
    if not billing_enabled() or not account.has_live_subscription:
        return plan_default()
    return plan_get(account.plan) or plan_default()


def plan_for_tenant(tenant: Tenant) -> Plan:
    return plan_for_account(tenant.account)


def plan_allows(*, tenant: Tenant, feature: str) -> bool:
    """Whether the tenant may use `feature` (e.g. "teams"): its plan includes it, or
    billing is off (nothing can be bought, so nothing is withheld)."""
    return not billing_enabled() or feature in plan_for_tenant(tenant).features


def plan_history_cutoff(*, tenant: Tenant) -> datetime | None:
    """The oldest audit entry the tenant's plan shows (None: all of them). Older
    entries are kept, never deleted: an upgrade shows them again."""
    if plan_allows(tenant=tenant, feature="audit_history"):
        return None
    return timezone.now() - timedelta(days=settings.BILLING_AUDIT_LOG_DAYS)


@dataclass(frozen=True)
class FeatureGate:
    """What a page shows in place of a feature the plan lacks."""

    feature: Feature
    plan_name: str
    # The purchasable plans that include it, cheapest first (settings order).
    plans_with: list[str]
    upgrade_url: str

    @property
    def plans_label(self) -> str:
        """The plans that include it, in words: "Pro and Business"."""
        label = ""
        for name in self.plans_with:
            label = (
                gettext("%(first)s and %(second)s") % {"first": label, "second": name}
                if label
                else name
            )
        return label


def plan_feature_gate(*, tenant: Tenant, feature: str) -> FeatureGate | None:
    """None when the tenant may use `feature`; else what the upgrade card shows."""
    if plan_allows(tenant=tenant, feature=feature):
        return None
    return FeatureGate(
        feature=feature_get(feature),
        plan_name=str(plan_for_tenant(tenant).name),
        plans_with=[str(p.name) for p in plan_list() if p.is_purchasable and feature in p.features],
        upgrade_url=upgrade_url(tenant),
    )


def plan_limit(*, tenant: Tenant, limit: str) -> int | None:
    """A numeric limit of the tenant's plan ("max_members", "max_storage_mb"); None = none."""
    return getattr(plan_for_tenant(tenant), limit)


@dataclass(frozen=True)
class PlanUsage:
    """One limit of a plan against what the tenant uses, ready to display."""

    label: str
    used_label: str
    limit_label: str
    # 0-100, how full; None when the plan sets no limit.
    percent: int | None
    # Billing is on, so a plan with more can be bought (a full limit says "upgrade").
    upgradable: bool
    # Of what is used, the seats pending invitations hold (members only): they count
    # under the cap, and the page says so rather than calling them members.
    invitations: int = 0

    @property
    def is_near(self) -> bool:
        return self.percent is not None and 80 <= self.percent < 100

    @property
    def is_full(self) -> bool:
        return self.percent is not None and self.percent >= 100

    @property
    def tone(self) -> str:
        """The colour of its bar: "full", "warn" or none."""
        return "full" if self.is_full else "warn" if self.is_near else ""


def plan_usage(
    *, tenant: Tenant, seats_taken: int | None, storage_bytes: int, invitations: int = 0
) -> list[PlanUsage]:
    """The tenant's use of each limit of its plan: members (skipped when `seats_taken` is
    None, as for a personal workspace) and storage. Counts come from the caller, as for
    `plan_check_members` and `plan_check_storage`, which enforce the same limits;
    `invitations` says how many of `seats_taken` are pending invitations."""
    plan = plan_for_tenant(tenant)
    upgradable = billing_enabled()
    usage = []
    if seats_taken is not None:
        usage.append(
            PlanUsage(
                label=gettext("Members"),
                used_label=str(seats_taken),
                limit_label=(
                    str(plan.max_members) if plan.max_members is not None else gettext("unlimited")
                ),
                percent=_percent(seats_taken, plan.max_members),
                upgradable=upgradable,
                invitations=invitations,
            )
        )
    cap = plan.max_storage_mb * 1024 * 1024 if plan.max_storage_mb is not None else None
    usage.append(
        PlanUsage(
            label=gettext("Storage"),
            used_label=filesizeformat(storage_bytes),
            limit_label=plan.storage_label,
            percent=_percent(storage_bytes, cap),
            upgradable=upgradable,
        )
    )
    return usage


def _percent(used: int, limit: int | None) -> int | None:
    if limit is None:
        return None
    if limit <= 0:
        return 100
    return min(100, -(-used * 100 // limit))  # rounded up: 1 byte of 100 MB is not 0 %


def upgrade_url(tenant: Tenant) -> str:
    """The tenant's billing page, where a plan is bought; "" while billing is off, where
    that page could only say that billing is not set up."""
    if not billing_enabled():
        return ""
    return reverse("billing:overview", kwargs={"tenant_slug": tenant.slug})


def plan_require(*, tenant: Tenant, feature: str) -> None:
    """Raise PlanLimitReached unless the tenant's plan includes `feature`."""
    if not plan_allows(tenant=tenant, feature=feature):
        plan = plan_for_tenant(tenant)
        name = feature_get(feature).name_in_sentence
        raise PlanLimitReached(
            gettext(
                "The %(plan)s plan does not include %(feature)s. "
                "Upgrade to a plan that includes it to continue."
            )
            % {"plan": plan.name, "feature": name},
            upgrade_url=upgrade_url(tenant),
        )


def _may_upgrade(*, tenant: Tenant, user: User | None) -> bool:
    """Whether the refusal may tell its reader to upgrade: someone with billing.manage
    in the workspace, or no one in particular (a directory, staff in the admin). Others
    are told whom to ask, with no link to a billing page that would refuse them."""
    return user is None or tenant.pk in billing_manager_tenant_ids(user=user, tenant_id=tenant.pk)


def plan_check_members(
    *, tenant: Tenant, taken: int, adding: int = 1, acting_user: User | None = None
) -> None:
    """Raise PlanLimitReached if `adding` more people would exceed the plan's member
    cap. `taken` comes from the caller (members plus pending invitations, see
    `tenants.selectors.tenant_seats_taken`), as `plan_check_storage` takes `used_bytes`.
    `acting_user`: who is refused, so the message says what they can do."""
    plan = plan_for_tenant(tenant)
    if plan.max_members is None:
        return
    if taken + adding > plan.max_members:
        values = {"plan": plan.name, "limit": plan.max_members, "name": tenant.name, "taken": taken}
        billing = billing_enabled()
        may_upgrade = billing and _may_upgrade(tenant=tenant, user=acting_user)
        if not billing:  # no plan to buy: say how to make room instead
            message = ngettext(
                "The %(plan)s plan allows up to %(limit)d members, "
                "and %(name)s already has %(taken)d (members and pending invitations). "
                "To add someone, remove a member or cancel a pending invitation.",
                "The %(plan)s plan allows up to %(limit)d members, "
                "and %(name)s already has %(taken)d (members and pending invitations). "
                "To add someone, remove a member or cancel a pending invitation.",
                plan.max_members,
            )
        elif may_upgrade:
            message = ngettext(
                "The %(plan)s plan allows up to %(limit)d members, "
                "and %(name)s already has %(taken)d (members and pending invitations). "
                "Upgrade your plan to add more people.",
                "The %(plan)s plan allows up to %(limit)d members, "
                "and %(name)s already has %(taken)d (members and pending invitations). "
                "Upgrade your plan to add more people.",
                plan.max_members,
            )
        else:
            message = ngettext(
                "The %(plan)s plan allows up to %(limit)d members, "
                "and %(name)s already has %(taken)d (members and pending invitations). "
                "To add more people, ask an owner or billing admin to upgrade.",
                "The %(plan)s plan allows up to %(limit)d members, "
                "and %(name)s already has %(taken)d (members and pending invitations). "
                "To add more people, ask an owner or billing admin to upgrade.",
                plan.max_members,
            )
        raise PlanLimitReached(
            message % values, upgrade_url=upgrade_url(tenant) if may_upgrade else ""
        )


@dataclass(frozen=True)
class StorageRoom:
    """What the plan's storage cap leaves a tenant, and the words that refuse a file
    needing more: the server's (`plan_check_storage`) and, said before sending, the
    files page's (uploads/views.py puts them on the file input)."""

    tenant: Tenant
    plan: Plan
    used: int  # bytes stored
    left: int  # bytes; 0 for a tenant at or over the cap

    def refusal(self, *, size: str, may_upgrade: bool) -> PlanLimitReached:
        """The refusal of a file of `size` (as said: "24 MB", or the script's slot);
        `may_upgrade`: whether its reader may buy a bigger plan (told whom to ask if not,
        how to make room while billing is off)."""
        assert self.plan.max_storage_mb is not None
        values = {
            "size": size,
            "left": size_in_megabytes(self.left, rounded_down=True),
            "plan": self.plan.name,
            "limit": _size(self.plan.max_storage_mb),
        }
        billing = billing_enabled()
        may_upgrade = billing and may_upgrade
        if not billing:
            message = gettext(
                "This file is %(size)s; %(left)s of the %(plan)s plan's %(limit)s of storage "
                "is left. Delete files to make room."
            )
        elif may_upgrade:
            message = gettext(
                "This file is %(size)s; %(left)s of the %(plan)s plan's %(limit)s of storage "
                "is left. Delete files or upgrade your plan."
            )
        else:
            message = gettext(
                "This file is %(size)s; %(left)s of the %(plan)s plan's %(limit)s of storage "
                "is left. Delete files, or ask an owner or billing admin to upgrade."
            )
        return PlanLimitReached(
            message % values, upgrade_url=upgrade_url(self.tenant) if may_upgrade else ""
        )


def plan_storage_room(*, tenant: Tenant, used_bytes: int) -> StorageRoom | None:
    """What the plan's storage cap leaves once `used_bytes` are stored; None without a
    cap (an unlimited plan)."""
    plan = plan_for_tenant(tenant)
    if plan.max_storage_mb is None:
        return None
    left = max(0, plan.max_storage_mb * 1024 * 1024 - used_bytes)
    return StorageRoom(tenant=tenant, plan=plan, used=used_bytes, left=left)


def plan_check_storage(
    *, tenant: Tenant, used_bytes: int, adding_bytes: int, acting_user: User | None = None
) -> None:
    """Raise PlanLimitReached if storing `adding_bytes` more would pass the storage cap.
    `acting_user`: who is refused, so the message says what they can do."""
    room = plan_storage_room(tenant=tenant, used_bytes=used_bytes)
    if room is not None and adding_bytes > room.left:
        raise room.refusal(
            size=size_in_megabytes(adding_bytes),
            may_upgrade=_may_upgrade(tenant=tenant, user=acting_user),
        )


def _size(mb: int) -> str:
    """A storage cap as people read it, number and unit held together by a no-break space
    (as Django's `filesizeformat` does), so "100 GB" never wraps between the two on a
    phone's narrow dialog."""
    if mb >= 1024 and mb % 1024 == 0:
        said = gettext("%(size)s GB") % {"size": mb // 1024}
    else:
        said = gettext("%(size)s MB") % {"size": mb}
    return said.replace(" ", "\xa0")
