"""Errors raised by the uploads app; each maps to an HTTP status on its own."""

from __future__ import annotations

from django.core.exceptions import SuspiciousOperation


class InvalidUploadKey(SuspiciousOperation):
    """A storage key that is not `tenant-<id>/<nanoid21>.<ext>`: never written or read."""


class UploadStorageError(Exception):
    """Storage did not keep the object under the key we asked for."""
