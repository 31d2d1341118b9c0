"""The minimal stock-Django signed-in page, as `django-admin startproject` would serve it.

Same database, same users and the same production settings as Pacetrack's instance,
but Django's own middleware list (`startproject`'s, in its order), `django.contrib.
sessions` database sessions, `contrib.auth`'s ModelBackend, Django's PostgreSQL
backend and a one-line template.
`make bench` runs it as a third gunicorn instance: its `/hello/` is the bare-view
ceiling under stock middleware and its `/signed-in/` the reference signed-in page.
"""

from __future__ import annotations

from config.settings import *  # noqa: F403
from config.settings import BASE_DIR, DATABASES, INSTALLED_APPS

# Django's own PostgreSQL backend, not ours (core/db/postgresql: compiled timestamp
# parsing); the connection settings (persistent, prepared statements) stay the same.
DATABASES = {
    alias: {**db, "ENGINE": "django.db.backends.postgresql"}
    if db["ENGINE"] == "core.db.postgresql"
    else db
    for alias, db in DATABASES.items()
}

ROOT_URLCONF = "bench.stock_urls"
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
if "django.contrib.sessions" not in INSTALLED_APPS:
    INSTALLED_APPS = [*INSTALLED_APPS, "django.contrib.sessions"]
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_NAME = "stock-sessionid"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
MESSAGE_STORAGE = "django.contrib.messages.storage.fallback.FallbackStorage"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "bench" / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]
