# LMSA member portal: one image for the web process, the mail worker and migrations.
#   web (default):  docker run IMAGE
#   migrations:     docker run IMAGE migrate
#   mail worker:    docker run IMAGE worker
FROM python:3.11-slim-bookworm AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PATH="/app/.venv/bin:$PATH"

RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/* \
    && pip install --no-cache-dir "uv==0.13.9" \
    && useradd --system --create-home --uid 10001 lmsa

WORKDIR /app

# Dependencies first (cached while only code changes), exactly as locked, no dev tools.
COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-dev --no-install-project

COPY . .

# Static files and compiled translations are baked into the image. collectstatic
# needs settings to import, not real secrets: the throwaway values below exist
# only during this build step.
RUN DJANGO_SETTINGS_MODULE=lmsa_portal.settings.prod \
    DJANGO_SECRET_KEY=collectstatic-build-only \
    DJANGO_ALLOWED_HOSTS=localhost \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    CACHE_URL=locmemcache:// \
    EMAIL_URL=consolemail:// \
    python manage.py collectstatic --noinput \
    && (python manage.py compilemessages --ignore=.venv || true) \
    && chown -R lmsa:lmsa /app/staticfiles

USER lmsa
ENV DJANGO_SETTINGS_MODULE=lmsa_portal.settings.prod
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz').status == 200 else 1)"

ENTRYPOINT ["/app/docker-entrypoint.sh"]
CMD ["web"]
