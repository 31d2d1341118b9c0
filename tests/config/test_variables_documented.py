"""Every environment variable the project reads is in env.example (which README says
lists every variable) and in README.md: an operator reads them there, not in
config/settings.py. The review found nine read but listed in neither or one."""

from __future__ import annotations

import re

from django.conf import settings

from tests.config.test_settings import ROOT

READERS = (ROOT / "config" / "settings.py", ROOT / "config" / "gunicorn.conf.py")
# env.str("X", …), env("X"), _plan_limit("X", …), os.environ.get("X", …)
READ = re.compile(r'(?:env(?:\.\w+)?|_plan_limit|environ\.get)\(\s*"([A-Z][A-Z0-9_]+)"')


def _variables_read() -> set[str]:
    names: set[str] = set()
    for source in READERS:
        names |= set(READ.findall(source.read_text()))
    # Each limiter tier's rate: RATELIMIT_<TIER> (config/settings.py `_tier`).
    names |= {"RATELIMIT_" + tier.upper().replace("-", "_") for tier in settings.RATELIMIT_TIERS}
    return names - {"DJANGO_SETTINGS_MODULE"}


def test_the_settings_read_the_variables_this_test_looks_for() -> None:
    read = _variables_read()
    assert {"DATABASE_URL", "RATELIMIT_MFA_DEVICE", "WEB_CONCURRENCY", "STATIC_MANIFEST"} <= read


def test_every_variable_read_is_in_env_example_and_the_readme() -> None:
    example = (ROOT / "env.example").read_text()
    readme = (ROOT / "README.md").read_text()
    read = _variables_read()

    assert not sorted(v for v in read if not re.search(rf"^# ?{v}=|^{v}=", example, re.M))
    assert not sorted(v for v in read if not re.search(rf"`{v}[`=]", readme))
