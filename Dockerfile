# Production image: Python 3.11 slim, WeasyPrint's libraries, a font with Vietnamese glyphs, gunicorn.
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    LMS_INSTANCE_PATH=/data LMS_COURSES_DIR=/app/courses
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md babel.cfg ./
COPY lms ./lms
COPY translations ./translations
COPY courses ./courses
# the same install the Makefile does (editable, so translations/ beside lms/ is found), plus PostgreSQL
RUN pip install -e '.[postgres]' gunicorn \
 && pybabel compile -q -d translations -D lms \
 && useradd --system --uid 1001 --home /data lms && mkdir -p /data && chown lms /data
USER lms
VOLUME /data
EXPOSE 8000
# `lms init` is safe to run on every start: it only upgrades the schema when needed
CMD ["sh", "-c", "lms init && gunicorn --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-2} 'lms:create_app()'"]
