"""System checks for the billing settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.urls import reverse
from django.utils.module_loading import import_string

from billing.webhooks import webhook_secrets


def check_plans(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    plans = getattr(settings, "BILLING_PLANS", {})
    default = getattr(settings, "BILLING_DEFAULT_PLAN", "free")
    if default not in plans:
        errors.append(
            checks.Error(
                f"BILLING_DEFAULT_PLAN {default!r} is not a key of BILLING_PLANS.",
                hint="Add a free plan to BILLING_PLANS or point BILLING_DEFAULT_PLAN at one.",
                id="billing.E001",
            )
        )
    elif plans[default].get("price_id"):
        errors.append(
            checks.Error(
                f"The default plan {default!r} has a price id; it must be free.",
                id="billing.E002",
            )
        )
    for key, conf in plans.items():
        missing = {"name", "max_members", "max_storage_mb"} - set(conf)
        if missing:
            errors.append(
                checks.Error(
                    f"BILLING_PLANS[{key!r}] lacks {', '.join(sorted(missing))}.",
                    id="billing.E003",
                )
            )
    features = getattr(settings, "BILLING_FEATURES", {})
    for key, conf in plans.items():
        unknown = set(conf.get("features", [])) - set(features)
        if unknown:
            errors.append(
                checks.Error(
                    f"BILLING_PLANS[{key!r}] names features missing from BILLING_FEATURES: "
                    f"{', '.join(sorted(unknown))}.",
                    hint="Declare each feature (name and description) in BILLING_FEATURES.",
                    id="billing.E006",
                )
            )
    prices = [c.get("price_id") for c in plans.values() if c.get("price_id")]
    if len(prices) != len(set(prices)):
        errors.append(checks.Error("Two plans share a Stripe price id.", id="billing.E004"))
    try:
        import_string(settings.BILLING_BACKEND)
    except ImportError as exc:
        errors.append(
            checks.Error(
                f"BILLING_BACKEND {settings.BILLING_BACKEND!r} cannot be imported: {exc}",
                id="billing.E005",
            )
        )
    if settings.STRIPE_SECRET_KEY:
        if not prices:
            errors.append(
                checks.Warning(
                    "STRIPE_SECRET_KEY is set but no plan has a price id: nothing can be bought.",
                    hint="Set STRIPE_PRICE_PRO and/or STRIPE_PRICE_BUSINESS.",
                    id="billing.W001",
                )
            )
        if not webhook_secrets() and settings.DEBUG:
            errors.append(checks.Warning(_NO_WEBHOOK_SECRET, hint=_hint(), id="billing.W002"))
    return errors


_NO_WEBHOOK_SECRET = (
    "STRIPE_SECRET_KEY is set without STRIPE_WEBHOOK_SECRET: every webhook delivery will be "
    "refused and subscriptions will not update."
)


def _hint() -> str:
    return (
        "Copy the signing secret (whsec_…) of the webhook endpoint "
        f"{reverse('stripe:webhook')} from the Stripe dashboard."
    )


def check_webhook_secret_deployed(
    app_configs: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """A deploy check (`check --deploy` fails): a warning went unseen while every payment
    left its subscription unchanged. Deploy-only, so `migrate` and the task worker still
    start on a server being set up (development keeps the warning W002)."""
    if settings.DEBUG or not settings.STRIPE_SECRET_KEY or webhook_secrets():
        return []
    return [checks.Error(_NO_WEBHOOK_SECRET, hint=_hint(), id="billing.E007")]
