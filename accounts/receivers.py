"""Signal receivers: a few lines each, calling a service."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest

from config.client_ip import client_ip


def notify_new_device(
    sender: Any, request: HttpRequest | None, user: AbstractBaseUser, **kwargs: Any
) -> None:
    """On every sign-in: email the user when the device (user agent + IP /24) is new."""
    from accounts.services_email import device_sign_in_record

    if request is None:  # login() without a request (scripts): no device to speak of
        return
    device_sign_in_record(
        user=user, user_agent=request.META.get("HTTP_USER_AGENT", ""), ip=client_ip(request)
    )
