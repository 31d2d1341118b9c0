# Production image: assets built with Node, app served by gunicorn (config/gunicorn.conf.py:
# 2 sync workers, app preloaded; WEB_CONCURRENCY sets the number).
FROM node:20-bookworm-slim AS assets
# Every folder static/src/app.css reads class names from (its @source lines).
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY static/src static/src
COPY templates templates
COPY accounts accounts
COPY core core
COPY tenants tenants
COPY sessions_app sessions_app
COPY uploads uploads
COPY billing billing
COPY ratelimit ratelimit
COPY mfa mfa
COPY sso sso
COPY api api
COPY webhooks webhooks
COPY config config
RUN npm run build

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
# xmlsec1 verifies SAML signatures (called by pysaml2).
RUN apt-get update && apt-get install -y --no-install-recommends xmlsec1 \
    && rm -rf /var/lib/apt/lists/*
COPY . .
# The versions the test suite passed with (constraints.txt), not the newest in range.
RUN pip install --no-cache-dir -c constraints.txt .
COPY --from=assets /app/static/build static/build
# The manifest the running app (DEBUG off) names its files through; DEBUG=true only
# spares the build the production secrets.
RUN DEBUG=true STATIC_MANIFEST=true python manage.py collectstatic --noinput
# The app runs as an unprivileged user: it owns only var/ (local files and the SQLite
# database when no DATABASE_URL is set); the code and collected assets stay root's, so
# a hole in the app cannot rewrite them.
RUN useradd --system --uid 10001 --no-create-home --home-dir /app pacetrack \
    && mkdir -p var && chown pacetrack:pacetrack var
USER pacetrack
EXPOSE 8000
CMD ["gunicorn", "--config", "config/gunicorn.conf.py", "config.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
