"""Billing accounts: who pays. One account can pay for several tenants."""

from __future__ import annotations

from django.db import models


class Account(models.Model):
    class Status(models.TextChoices):
        NONE = "", "No subscription"
        TRIALING = "trialing", "Trialing"
        ACTIVE = "active", "Active"
        PAST_DUE = "past_due", "Past due"
        CANCELED = "canceled", "Canceled"
        INCOMPLETE = "incomplete", "Incomplete"
        INCOMPLETE_EXPIRED = "incomplete_expired", "Incomplete (expired)"
        UNPAID = "unpaid", "Unpaid"
        PAUSED = "paused", "Paused"

    name = models.CharField(max_length=200)
    stripe_customer_id = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_subscription_id = models.CharField(max_length=255, blank=True, db_index=True)
    plan = models.CharField(max_length=50, default="free")
    status = models.CharField(max_length=32, choices=Status.choices, blank=True, default="")
    current_period_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    seats = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name
