"""S3 as configured from the environment: calls give up instead of holding a worker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json
from django.core.files.storage import default_storage
config = default_storage.connection.meta.client.meta.config
print(json.dumps({
    "connect": config.connect_timeout,
    "read": config.read_timeout,
    "retries": config.retries,
    "addressing": config.s3,
    "signature": config.signature_version,
}))
"""


def test_s3_calls_have_short_timeouts_and_bounded_retries() -> None:
    """botocore's defaults are 60 s each with up to 5 attempts: a stalled S3 would hold
    a web worker for minutes."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    environment.update(
        S3_ENDPOINT="http://127.0.0.1:9",
        S3_ACCESS_KEY="probe",
        S3_SECRET_KEY="probe",
        S3_ADDRESSING_STYLE="virtual",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PROBE],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout.strip().splitlines()[-1])
    assert (config["connect"], config["read"]) == (3.0, 10.0)
    # 2 x (3 + 10) s stays inside gunicorn's 30 s worker timeout (3 attempts did not).
    assert config["retries"] == {"mode": "standard", "total_max_attempts": 2}
    assert config["addressing"] == {"addressing_style": "virtual"}
    assert config["signature"] == "s3v4"
