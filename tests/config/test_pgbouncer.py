"""Behind PgBouncer in transaction pooling (DATABASE_POOLER=pgbouncer) the app's
connections work; with the direct settings they do not.

A real PgBouncer (Debian's, 1.18 here) in front of the test PostgreSQL server, with
one server connection for every client, so two clients always share it: a prepared
statement one of them leaves on that connection is what breaks the other.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.skipif(not shutil.which("pgbouncer"), reason="needs pgbouncer"),
]
ROOT = Path(__file__).resolve().parents[2]


def _settings_options(**env: str) -> dict[str, Any]:
    """The database settings the app builds from this environment."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    environment.update(env)
    code = (
        "import json; from django.conf import settings as s; d = s.DATABASES['default']; "
        "print(json.dumps({'options': d['OPTIONS'], "
        "'cursors_off': d.get('DISABLE_SERVER_SIDE_CURSORS', False)}))"
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def pgbouncer(django_db_setup: None) -> Iterator[int]:
    db = connection.settings_dict
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    workdir = Path(tempfile.mkdtemp(prefix="pt-pgbouncer-"))
    workdir.chmod(0o755)  # PgBouncer runs as postgres when we are root
    (workdir / "users.txt").write_text(f'"{db["USER"]}" "{db["PASSWORD"] or ""}"\n')
    (workdir / "pgbouncer.ini").write_text(
        f"[databases]\n* = host={db['HOST']} port={db['PORT'] or 5432}\n\n"
        f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {workdir / 'users.txt'}\npool_mode = transaction\n"
        "default_pool_size = 1\nserver_reset_query =\n"
    )
    argv = ["pgbouncer", str(workdir / "pgbouncer.ini")]
    if os.geteuid() == 0:
        argv[1:1] = ["-u", "postgres"]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "PgBouncer did not start"
                time.sleep(0.1)
        yield port
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)


def _two_clients_take_turns(port: int, options: dict[str, Any]) -> None:
    """Two app connections, one server connection: each runs the same query in turns,
    as two gunicorn workers do with the session lookup."""
    db = connection.settings_dict
    # What Django's psycopg backend does with these options: client-side binding unless
    # server_side_binding is set, and psycopg prepares per prepare_threshold.
    kwargs: dict[str, Any] = {"prepare_threshold": options.get("prepare_threshold")}
    if not options.get("server_side_binding"):
        kwargs["cursor_factory"] = psycopg.ClientCursor
    clients = [
        psycopg.connect(
            host="127.0.0.1",
            port=port,
            user=db["USER"],
            dbname=db["NAME"],
            autocommit=True,
            **kwargs,
        )
        for _ in range(2)
    ]
    try:
        for _ in range(3):
            for client in clients:
                assert client.execute("SELECT %s::int + 1", [1]).fetchone() == (2,)
    finally:
        for client in clients:
            client.close()


@pytest.mark.django_db
def test_the_pooler_settings_work_through_transaction_pooling(pgbouncer: int) -> None:
    pooled = _settings_options(
        DATABASE_URL="postgres://u@127.0.0.1:6432/db", DATABASE_POOLER="pgbouncer"
    )
    assert pooled["cursors_off"] is True
    assert pooled["options"]["prepare_threshold"] is None
    _two_clients_take_turns(pgbouncer, pooled["options"])


@pytest.mark.django_db
def test_the_direct_settings_break_behind_transaction_pooling(pgbouncer: int) -> None:
    direct = _settings_options(DATABASE_URL="postgres://u@127.0.0.1:5432/db")
    assert direct["options"]["prepare_threshold"] == 1
    with pytest.raises(psycopg.errors.DuplicatePreparedStatement):
        _two_clients_take_turns(pgbouncer, direct["options"])
