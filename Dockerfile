# NovaCron Community: one image for web (gunicorn), worker and beat (celery) and the one-shot migrate job.
# Build: docker build -t novacron .      Run: docker compose up -d   (see docs/operations/deployment.md)
FROM python:3.11-slim

# PYTHONPATH: the source tree in /app comes before site-packages, so BASE_DIR is /app and templates/, static/
# and docs/ are found next to the code (`pip install .` below installs the dependencies).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=novacron.settings \
    NOVACRON_ENV=production

WORKDIR /app

RUN groupadd --system --gid 10001 novacron \
    && useradd --system --uid 10001 --gid novacron --home-dir /app --no-create-home --shell /usr/sbin/nologin novacron

# The project and its dependencies (psycopg[binary] ships wheels, so no compiler is needed).
COPY pyproject.toml ./
COPY novacron ./novacron
COPY revenue ./revenue
COPY marketplace ./marketplace
COPY certification ./certification
COPY devex ./devex
COPY growth ./growth
RUN pip install --no-compile . && rm -rf build ./*.egg-info

COPY manage.py ./
COPY templates ./templates
COPY static ./static
COPY docs ./docs

# Static files are collected at build time into /app/var/static (hashed names + compressed copies for whitenoise).
# The key and database here exist only for this step; settings need them to import.
RUN SECRET_KEY=build-only-not-a-secret DATABASE_URL=sqlite:////tmp/build.sqlite3 \
        python manage.py collectstatic --noinput --verbosity 0 \
    && rm -f /tmp/build.sqlite3 \
    && mkdir -p /app/var/media \
    && chown -R novacron:novacron /app/var/media

USER novacron
EXPOSE 8000

# The compose file sets the command per service; this default serves the web app.
CMD ["gunicorn", "novacron.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--timeout", "30"]
