# syntax=docker/dockerfile:1
# The jieneng platform (API + dashboards) as a slim, non-root image.
# Build: docker build -t jieneng .     Run: see docker-compose.yml and docs/deployment.md.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
# Dependencies first, from the pinned ranges in pyproject.toml, so code edits reuse this layer.
COPY pyproject.toml ./
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --upgrade pip setuptools wheel \
 && /opt/venv/bin/python -c "import subprocess, tomllib; deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; subprocess.check_call(['/opt/venv/bin/pip', 'install', *deps])"
COPY . .
RUN /opt/venv/bin/pip install --no-deps . \
 && /opt/venv/bin/jieneng --help > /dev/null

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    JIENENG_DATA_DIR=/var/lib/jieneng \
    JIENENG_HOST=0.0.0.0 \
    JIENENG_PORT=8000 \
    JIENENG_WORKERS=4
RUN groupadd --system --gid 10001 jieneng \
 && useradd --system --uid 10001 --gid jieneng --home-dir /home/jieneng --create-home jieneng \
 && mkdir -p /var/lib/jieneng \
 && chown jieneng:jieneng /var/lib/jieneng
COPY --from=build /opt/venv /opt/venv
USER 10001:10001
WORKDIR /home/jieneng
VOLUME ["/var/lib/jieneng"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('JIENENG_PORT', '8000'), timeout=4)"]
# Host, port and workers come from the JIENENG_ variables above (docker run -e JIENENG_WORKERS=8 ...).
CMD ["jieneng", "serve"]
