"""A real FileSystemStorage that records which storage operations ran."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.files.storage import FileSystemStorage


class CountingFileSystemStorage(FileSystemStorage):
    calls: ClassVar[list[str]] = []

    def _open(self, name: str, mode: str = "rb") -> Any:
        self.calls.append("open")
        return super()._open(name, mode)

    def exists(self, name: str) -> bool:
        self.calls.append("exists")
        return super().exists(name)

    def size(self, name: str) -> int:
        self.calls.append("size")
        return super().size(name)

    def url(self, name: str | None) -> str:
        self.calls.append("url")
        return super().url(name)


class FailingDeleteStorage(FileSystemStorage):
    """A real FileSystemStorage whose deletes fail, like an S3 outage after commit."""

    def delete(self, name: str) -> None:
        raise OSError("storage is unavailable")
