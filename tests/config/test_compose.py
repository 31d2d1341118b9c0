"""docker-compose.yml is a file Compose accepts, with both profiles, and the files it
mounts are valid for the programs that read them.

No Docker daemon here, so nothing is started: `docker-compose config` is Compose's own
loader and schema validation (Debian's docker-compose 1.29, the oldest Compose the file
targets), and HAProxy checks the configuration the scale profile mounts.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"

needs_compose = pytest.mark.skipif(
    not shutil.which("docker-compose"), reason="needs docker-compose"
)


def _compose(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["docker-compose", "--project-directory", str(ROOT), "-f", str(COMPOSE_FILE), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@needs_compose
@pytest.mark.parametrize("profile", [None, "scale"])
def test_compose_accepts_the_file_without_ignoring_anything(profile: str | None) -> None:
    args = ["--profile", profile] if profile else []
    result = _compose(*args, "config")

    assert result.returncode == 0, result.stderr
    # Compose warns (and carries on) for keys it drops, e.g. swarm-only `configs`.
    assert "ignored" not in result.stderr, result.stderr
    assert "WARNING" not in result.stderr, result.stderr


def _resolved() -> dict[str, Any]:
    result = _compose("config")
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)["services"]


@needs_compose
def test_the_scale_profile_adds_the_whole_topology_of_make_cluster() -> None:
    services = _resolved()
    plain = {name for name, service in services.items() if not service.get("profiles")}
    scaled = {name for name, service in services.items() if "scale" in service.get("profiles", [])}

    assert plain == {"postgres", "redis", "minio", "app", "worker", "scheduler"}
    assert scaled == {
        "haproxy",
        "app-1",
        "app-2",
        "app-3",
        "pgbouncer",
        "postgres-replica",
        *(f"redis-node-{n}" for n in range(1, 7)),
        "redis-cluster-create",
        "worker-2",
        "scheduler-2",
    }
    # `docker compose up` without the profile must not need a service of the profile.
    for name in plain:
        assert set(services[name].get("depends_on", {})) <= plain, name


@needs_compose
def test_every_file_the_stack_mounts_exists_and_haproxy_sends_to_the_three_apps() -> None:
    mounted = [
        volume.split(":")[0]
        for service in _resolved().values()
        for volume in service.get("volumes", [])
        if isinstance(volume, str) and volume.startswith("/")
    ]

    assert mounted, "the stack mounts pg_hba.conf and haproxy.cfg"
    for source in mounted:
        assert Path(source).is_file(), source
    haproxy_cfg = (ROOT / "cluster/compose/haproxy.cfg").read_text()
    for app in ("app-1", "app-2", "app-3"):
        assert f" {app}:8000 check" in haproxy_cfg


@pytest.mark.skipif(not shutil.which("haproxy"), reason="needs haproxy")
def test_haproxy_accepts_the_scale_profile_configuration() -> None:
    result = subprocess.run(
        ["haproxy", "-c", "-f", str(ROOT / "cluster/compose/haproxy.cfg")],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


@needs_compose
def test_the_worker_and_scheduler_wait_for_migrations_and_come_back_after_a_failure() -> None:
    """An operator's first `docker compose up -d` left both dead: they started as soon
    as `app` started, before its `migrate` (relation … does not exist), and had no
    restart policy, so a PgBouncer restart later ended them for good too."""
    services = _resolved()
    long_running = {"app", "worker", "scheduler"}

    for name in long_running:
        assert services[name].get("restart") == "unless-stopped", name
    for name in ("worker", "scheduler"):
        assert services[name]["depends_on"]["app"]["condition"] == "service_healthy", name
    assert "/healthz/" in " ".join(services["app"]["healthcheck"]["test"])
    assert "resume_email_deliveries" in str(services["worker"]["command"])


def test_every_image_names_a_version_that_cannot_move_under_the_stack() -> None:
    """`minio/minio:latest` and `edoburu/pgbouncer:latest` pulled whatever was newest,
    so two machines running one commit could run different servers."""
    services = yaml.safe_load(COMPOSE_FILE.read_text())["services"]
    images = {name: service["image"] for name, service in services.items() if "image" in service}

    assert images, "no service names an image"
    for name, image in images.items():
        tag = image.rpartition("/")[2].partition(":")[2]
        assert tag and tag != "latest", f"{name}: {image}"
