# Production image, two stages: "build" installs the package and its dependencies into a virtual
# environment and compiles the translations; the final stage copies only that environment and the
# application, adds the runtime libraries (WeasyPrint's Pango, fonts with Vietnamese glyphs) and
# runs as an unprivileged user. No compiler, pip cache or apt list ends up in the final image.
FROM python:3.11-slim AS build
ENV PYTHONDONTWRITEBYTECODE=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /venv
ENV PATH=/venv/bin:$PATH
WORKDIR /app
# dependencies first, so a code change does not reinstall them
COPY pyproject.toml README.md babel.cfg ./
RUN mkdir lms && touch lms/__init__.py \
 && pip install '.[postgres,queue]' gunicorn && pip uninstall -y bdhvs-lms
COPY lms ./lms
COPY translations ./translations
COPY courses ./courses
COPY gunicorn.conf.py ./
# editable, as the Makefile does, so translations/ beside lms/ is found; the LMS's own bytecode made
# now (PYTHONDONTWRITEBYTECODE stops Python writing it at run time, so without this every worker start
# compiled ~250 modules from source: a few hundred ms of CPU before the first answer)
RUN pip install --no-deps -e . && pybabel compile -q -d translations -D lms && python -m compileall -q lms

FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/venv/bin:$PATH \
    LMS_INSTANCE_PATH=/data LMS_COURSES_DIR=/app/courses LMS_BIND=0.0.0.0:8000 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/lms-prometheus
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 1001 lms \
 && useradd --system --uid 1001 --gid 1001 --home-dir /data --no-create-home lms \
 && mkdir -p /data && chown lms:lms /data
COPY --from=build /venv /venv
COPY --from=build /app /app
WORKDIR /app
USER 1001:1001
VOLUME /data
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=3)"
# an app server; `lms init` (schema and first signing key) runs once per deploy, before the servers
# (docker-compose.yml's "migrate" service); the worker runs `lms worker`
CMD ["gunicorn", "-c", "/app/gunicorn.conf.py", "lms:create_app()"]
