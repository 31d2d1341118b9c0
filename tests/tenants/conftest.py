from __future__ import annotations

import copy
from typing import Any

import pytest


@pytest.fixture
def three_seat_free_plan(settings: Any) -> Any:
    """A Free plan capped at 3 members, whatever the project's default cap is."""
    plans = copy.deepcopy(settings.BILLING_PLANS)
    plans["free"]["max_members"] = 3
    settings.BILLING_PLANS = plans
    return settings
