"""Logging filters named in settings.LOGGING."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied

from core.request_id import current_request_id


class RefusalWithoutTraceback(logging.Filter):
    """Django logs every 403 with the PermissionDenied's traceback: a refusal we meant,
    twenty lines each, burying the real faults. The one-line warning stays."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], PermissionDenied):
            record.exc_info = None
            record.exc_text = None
        return True


class RequestId(logging.Filter):
    """Gives every record the id of the request that wrote it ("-" outside one), for
    the formatters' `%(request_id)s` (core/request_id.py)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True
