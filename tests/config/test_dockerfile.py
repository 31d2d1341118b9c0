"""The production image (Dockerfile) serves its pages: it collects the static files the
way the running app (DEBUG off) names them, and its CSS build reads every folder the
stylesheet takes class names from. Docker is not needed: the Dockerfile's own lines are
read and run."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from tests.config.test_settings import PRODUCTION, ROOT, _manage

DOCKERFILE = (ROOT / "Dockerfile").read_text()


def _collectstatic_environment() -> dict[str, str]:
    """The variables the Dockerfile sets on its `collectstatic` line."""
    line = next(line for line in DOCKERFILE.splitlines() if "manage.py collectstatic" in line)
    words = shlex.split(line.removeprefix("RUN").split("python")[0])
    return dict(word.split("=", 1) for word in words)


def test_the_image_collects_the_manifest_its_pages_are_served_through(tmp_path: Path) -> None:
    """It collected with DEBUG=true, which writes no staticfiles.json; the app, DEBUG
    off, names every file through it: every page was a 500 ("Missing staticfiles
    manifest entry for 'favicon.svg'")."""
    static_root = str(tmp_path / "static")
    collected = _manage(
        "collectstatic", "--noinput", **_collectstatic_environment(), STATIC_ROOT=static_root
    )
    assert collected.returncode == 0, collected.stderr

    served = _manage(
        "shell",
        "-c",
        "from django.test import Client; "
        "print(Client().get('/auth/sign-in/', secure=True, HTTP_HOST='example.com').status_code)",
        **PRODUCTION,
        STATIC_ROOT=static_root,
    )

    assert (tmp_path / "static" / "staticfiles.json").exists()
    assert served.stdout.strip().splitlines()[-1:] == ["200"], served.stderr[-2000:]


def test_the_assets_stage_copies_every_folder_the_stylesheet_reads() -> None:
    """`core` was left out: the plan usage bars' classes (from core/templatetags) were
    missing from the image's CSS."""
    stylesheet = (ROOT / "static" / "src" / "app.css").read_text()
    read = {
        (ROOT / "static" / "src" / source).resolve().relative_to(ROOT).parts[0]
        for source in re.findall(r'@source\s+"([^"]+)"', stylesheet)
    }
    stage = DOCKERFILE.split(" AS assets", 1)[1].split("\nFROM ", 1)[0]
    copied = {Path(source).parts[0] for source in re.findall(r"^COPY (\S+) ", stage, re.M)}

    assert read, "the stylesheet names no @source folders"
    assert read <= copied, f"not copied into the assets stage: {sorted(read - copied)}"


def test_the_stylesheet_reads_every_app_whose_python_writes_class_names() -> None:
    """An operator found `tracking-widest` (set in mfa/forms.py) missing from the CSS:
    mfa, sso, api, webhooks and config were not read, so their classes were never
    built, in development as in the image."""
    stylesheet = (ROOT / "static" / "src" / "app.css").read_text()
    read = {
        (ROOT / "static" / "src" / source).resolve().relative_to(ROOT).parts[0]
        for source in re.findall(r'@source\s+"([^"]+)"', stylesheet)
    }
    writing = {
        path.relative_to(ROOT).parts[0]
        for path in ROOT.glob("*/**/*.py")
        if path.relative_to(ROOT).parts[0] not in {"tests", "bench", ".venv", "node_modules"}
        and "migrations" not in path.parts
        and re.search(r'"class": "|class="', path.read_text())
    }

    assert writing, "no Python writes a class attribute"
    assert writing <= read, f"not read by the stylesheet: {sorted(writing - read)}"


def test_the_image_leaves_out_the_development_env_and_database() -> None:
    """With no .dockerignore, `COPY . .` put the checkout's .env (DEBUG=true, the
    published development SECRET_KEY) and var/ (the demo database) in the image, and a
    process started without DEBUG in its environment came up in debug mode."""
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }

    assert "COPY . ." in DOCKERFILE
    assert {".env", "var/", ".venv/", "node_modules/", ".git/"} <= ignored


def test_the_app_runs_as_an_unprivileged_user_that_owns_only_var() -> None:
    """The image ran gunicorn as root: a hole in the app could rewrite the code it runs."""
    final = DOCKERFILE.rsplit("\nFROM ", 1)[1]
    users = re.findall(r"^USER (\S+)", final, re.M)
    cmd_at = final.index("\nCMD ")

    assert users, "the final stage never leaves root"
    assert users[-1] not in {"root", "0", "0:0"}
    assert final.index(f"\nUSER {users[-1]}") < cmd_at
    # What the app writes at run time (settings.VAR_DIR: local files, SQLite) is its own.
    assert re.search(rf"chown {users[-1]}(:\S+)? var\b", final), "var/ is not the app user's"
