"""`Idempotency-Key` on POST: a repeated key gets the first answer, not a second action.

The first request claims the key by inserting a row (unique per API key), so two
concurrent requests with one key cannot both act: the second gets 409 until the first
has answered, and its stored answer from then on. A key sent with a different
request (method, path or body; a multipart body by its fields and files' bytes) is
refused with 422. Answers are kept for
`RETENTION`; server errors (5xx) are not kept, so the client may retry them.

A claim whose request never answered (its worker killed: gunicorn's timeout, out of
memory, a deploy) would hold its key at 409 for the whole `RETENTION`: one older than
`ABANDONED_AFTER`, twice gunicorn's 30-second timeout, is taken over by the next
request with that key (one of them, by a conditional update).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone

from api.models import ApiKey, IdempotentResponse
from api.problems import problem

HEADER = "Idempotency-Key"
RETENTION = timedelta(hours=24)
MAX_LENGTH = 255
ABANDONED_AFTER = timedelta(seconds=60)


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    if request.content_type == "multipart/form-data":
        _digest_parts(request, digest)
    else:
        digest.update(request.body)
    return digest.hexdigest()


def _digest_parts(request: HttpRequest, digest: Any) -> None:
    """A multipart body is parsed as a stream (uploads), so its fields and files are
    hashed once parsed: its size alone let a different file of the same size replay the
    first upload's answer as if it had been stored. The operation reads the same parsed
    files (rewound here)."""
    try:
        fields, files = request.POST, request.FILES
    except MultiPartParserError:
        digest.update(b"unparsable")  # the operation refuses it the same way
        return
    for name in sorted(fields):
        for value in fields.getlist(name):
            digest.update(f"field {name}={value}\n".encode())
    for name in sorted(files):
        for upload in files.getlist(name):
            digest.update(f"file {name} {upload.name} {upload.size}\n".encode())
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)


def _replay(row: IdempotentResponse) -> HttpResponse:
    response = HttpResponse(bytes(row.body), status=row.status, content_type=row.content_type)
    response["Idempotent-Replayed"] = "true"
    return response


def _claim(
    *, key: ApiKey, value: str, fingerprint: str, now: datetime
) -> IdempotentResponse | HttpResponse:
    """This request's claim on the key, or the answer it gets instead (the first
    request's, 409 while that one runs, 422 for another request)."""
    for _ in range(2):  # the first request's row may go between our insert and our read
        try:
            with transaction.atomic():
                return IdempotentResponse.objects.create(
                    api_key=key,
                    idempotency_key=value,
                    fingerprint=fingerprint,
                    status=0,
                    content_type="",
                    body=b"",
                )
        except IntegrityError:
            first = IdempotentResponse.objects.filter(api_key=key, idempotency_key=value).first()
        if first is None:
            continue
        if first.fingerprint != fingerprint:
            return problem(
                422,
                f"This {HEADER} was used for a different request.",
                kind="idempotency-key-reused",
            )
        if first.status != 0:
            return _replay(first)
        abandoned = IdempotentResponse.objects.filter(
            pk=first.pk, status=0, created_at__lt=now - ABANDONED_AFTER
        ).update(created_at=now)
        if abandoned:
            return first
        break
    return problem(
        409,
        f"The first request with this {HEADER} is still being processed.",
        kind="idempotency-in-progress",
        headers={"Retry-After": "1"},
    )


def idempotent(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(run)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        value = request.headers.get(HEADER)
        if request.method != "POST" or value is None:
            return run(request, *args, **kwargs)
        if not value or len(value) > MAX_LENGTH:
            return problem(400, f"{HEADER} must be 1 to {MAX_LENGTH} characters.")
        key = request.api_key  # type: ignore[attr-defined]
        fingerprint = _fingerprint(request)
        now = timezone.now()
        IdempotentResponse.objects.filter(api_key=key, created_at__lt=now - RETENTION).delete()
        claimed = _claim(key=key, value=value, fingerprint=fingerprint, now=now)
        if isinstance(claimed, HttpResponse):
            return claimed
        row = claimed
        try:
            response = run(request, *args, **kwargs)
        except BaseException:
            row.delete()
            raise
        if response.status_code >= 500 or response.streaming:
            row.delete()
            return response
        row.status = response.status_code
        row.content_type = response.get("Content-Type", "")
        row.body = response.content
        row.save(update_fields=["status", "content_type", "body"])
        return response

    return wrapped
