"""`make screenshots`: the README's screenshots, taken again from the demo data.

A throwaway SQLite database and media folder in a temporary directory, migrated and
filled by `seed_demo`; `runserver` on a free loopback port; Debian's chromium through
Playwright signs in as the demo owner and photographs each page at desktop (1280 × 800)
and phone (390 × 844) width into docs/screenshots/. Nothing of the developer's own
database, Redis, S3, Stripe or email settings is used.
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, ViewportSize, sync_playwright

from bench.lib import BIN, ROOT, Processes, log, manage, wait_http

CHROMIUM = "/usr/bin/chromium"
OUT = ROOT / "docs" / "screenshots"
OWNER, PASSWORD = "owner@pacetrack.test", "pacetrack-demo-2026"  # seed_demo's
ORG = "/t/acme-corp"

# (file name, page): the desktop shots, then the phone shots (2× pixels, as phones draw).
DESKTOP = [
    ("overview.png", f"{ORG}/"),
    ("members.png", f"{ORG}/members/"),
    ("audit-log.png", f"{ORG}/audit/"),
]
PHONE = [("overview-phone.png", f"{ORG}/"), ("members-phone.png", f"{ORG}/members/")]


def demo_env(tmp: Path) -> dict[str, str]:
    """Development settings on embedded backends only: whatever the shell or .env says
    about real services is overridden (.env never overrides a variable that is set)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "true",
            "DATABASE_URL": f"sqlite:///{tmp / 'demo.sqlite3'}",
            "MEDIA_ROOT": str(tmp / "media"),
            "REDIS_URL": "",
            "S3_ENDPOINT": "",
            "STRIPE_SECRET_KEY": "",
            "RESEND_API_KEY": "",
            "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
            "TASKS_BACKEND": "immediate",
            "BILLING_BACKEND": "billing.backends.stripe.StripeBillingBackend",
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sign_in(page: Page) -> None:
    page.goto("/auth/sign-in/")
    page.fill("input[name=email]", OWNER)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url("**/t/**")


def shoot(page: Page, shots: list[tuple[str, str]]) -> None:
    for name, path in shots:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=OUT / name, animations="disabled", caret="hide")
        log(f"wrote docs/screenshots/{name}")


def main() -> int:
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing (apt-get install chromium)")
    OUT.mkdir(parents=True, exist_ok=True)
    procs = Processes()
    with tempfile.TemporaryDirectory(prefix="pacetrack-screenshots-") as tmp:
        env = demo_env(Path(tmp))
        log("migrating a throwaway SQLite database and seeding the demo data")
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo")
        port = free_port()
        procs.start(
            "runserver",
            [str(BIN / "python"), "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=env,
            logfile=Path(tmp) / "runserver.log",
        )
        try:
            wait_http(f"http://127.0.0.1:{port}/healthz/")
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                for viewport, scale, shots in [
                    (ViewportSize(width=1280, height=800), 1, DESKTOP),
                    (ViewportSize(width=390, height=844), 2, PHONE),
                ]:
                    context = browser.new_context(
                        base_url=f"http://127.0.0.1:{port}",
                        viewport=viewport,
                        device_scale_factor=scale,
                    )
                    page = context.new_page()
                    sign_in(page)
                    shoot(page, shots)
                    context.close()
                browser.close()
        finally:
            procs.stop_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
