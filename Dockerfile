# Production image: gunicorn serves the portal; the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    ROUTEKAART_VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles

WORKDIR /app
# Pango and fonts for WeasyPrint (the PDF reports).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --system --create-home --home-dir /home/routekaart routekaart

COPY requirements.lock pyproject.toml ./
RUN pip install --no-cache-dir uv \
 && uv pip install --system --no-cache -c requirements.lock -r pyproject.toml

COPY . .
# Static files are collected at build time; a throwaway key satisfies the settings check.
RUN DEBUG=false SECRET_KEY=build-only-not-a-secret-build-only-not-a-secret \
    python manage.py collectstatic --noinput \
 && mkdir -p /app/var && chown -R routekaart /app/var

USER routekaart
EXPOSE 8000
CMD ["gunicorn", "--config", "python:roadmap.gunicorn", "roadmap.wsgi:application"]
