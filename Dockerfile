# finsam: one image for the web server, the Celery worker and Celery beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=finsam.settings

# WeasyPrint needs Pango and fonts; libpq is not needed (psycopg ships its own in the binary wheel).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core curl \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 finsam
WORKDIR /app

COPY pyproject.toml README.md ./
COPY finsam ./finsam
COPY forbund ./forbund
COPY insatser ./insatser
COPY deltagare ./deltagare
COPY uppfoljning ./uppfoljning
COPY bench ./bench
COPY templates ./templates
COPY static ./static
COPY manage.py ./
RUN pip install . \
 && SECRET_KEY=build-only-collectstatic DEBUG=false python manage.py collectstatic --no-input \
 && mkdir -p /data/media && chown -R finsam /data

USER finsam
EXPOSE 8000
CMD ["gunicorn", "finsam.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
