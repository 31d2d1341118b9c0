"""The audit action an account's deletion writes (registered in accounts/apps.py)."""

from __future__ import annotations

from django.db import models


class AccountAction(models.TextChoices):
    DELETED = "account.deleted", "Account deleted"
