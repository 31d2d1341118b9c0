"""Test-only password hashers that remember what they were given."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.hashers import MD5PasswordHasher


class RecordingHasher(MD5PasswordHasher):
    """MD5 (fast, as in every test), recording the length of each password it hashes.

    `verify()` hashes through `encode()`, so checks are recorded too."""

    algorithm = "recording_md5"
    lengths: ClassVar[list[int]] = []

    def encode(self, password: str, salt: str, *args: Any, **kwargs: Any) -> str:
        self.lengths.append(len(password))
        return super().encode(password, salt, *args, **kwargs)


class CountingHasher(MD5PasswordHasher):
    """A real hasher that counts how often it hashes."""

    calls: ClassVar[int] = 0

    def encode(self, password: str, salt: str, *args: Any, **kwargs: Any) -> str:
        type(self).calls += 1
        return super().encode(password, salt, *args, **kwargs)
