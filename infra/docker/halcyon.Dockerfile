# syntax=docker/dockerfile:1.7
# One Dockerfile, three images: `--target api`, `--target signaling`, `--target worker`.
#
# They share one Python environment (one package, one dependency list: building it three
# times would only risk three different builds of the same code); each target adds its own
# command, port and health check, and only `api` carries the built web app. Build from the
# repository root:
#   docker build -f infra/docker/halcyon.Dockerfile --target api -t halcyon-api .
#
# Every image runs as an unprivileged user (uid 10001) and works on a read-only root file
# system: the only writable places are HALCYON_VAR_DIR (/var/lib/halcyon, a volume) and /tmp (a
# tmpfs). No secret is baked in: keys, passwords and URLs come from the environment, env files
# or mounted secrets at run time.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG NODE_IMAGE=node:20-bookworm-slim

# --- the web app ---------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS web
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY frontend/ ./
RUN npm run build

# --- the Python environment ----------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/halcyon
WORKDIR /src
COPY pyproject.toml README.md ./
COPY services/ services/
RUN /opt/halcyon/bin/pip install . && /opt/halcyon/bin/python -m compileall -q /opt/halcyon

# --- what every image shares -------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system --gid 10001 halcyon \
 && useradd --system --uid 10001 --gid halcyon --home-dir /var/lib/halcyon --shell /usr/sbin/nologin halcyon \
 && install -d -o halcyon -g halcyon -m 0700 /var/lib/halcyon
COPY --from=build /opt/halcyon /opt/halcyon
COPY infra/docker/healthcheck.py /usr/local/bin/halcyon-healthcheck
COPY infra/keys/halcyon_keys.py /usr/local/bin/halcyon-keys
COPY infra/backup/verify_restore.py infra/backup/restore.sh /opt/halcyon/share/backup/
RUN chmod 0755 /usr/local/bin/halcyon-healthcheck /usr/local/bin/halcyon-keys
ENV PATH=/opt/halcyon/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    HALCYON_ENV=production \
    HALCYON_LOG_JSON=true \
    HALCYON_VAR_DIR=/var/lib/halcyon \
    HALCYON_LOCAL_SMTP=false \
    HALCYON_COOKIE_SECURE=true \
    HALCYON_TRUST_PROXY_HEADERS=true
WORKDIR /var/lib/halcyon
VOLUME ["/var/lib/halcyon"]
USER 10001:10001

# --- API + web app -------------------------------------------------------------------------------
FROM runtime AS api
COPY --from=web /src/frontend/dist /opt/halcyon/web
ENV HALCYON_API_HOST=0.0.0.0 HALCYON_API_PORT=8000 HALCYON_SERVE_FRONTEND=true HALCYON_FRONTEND_DIST=/opt/halcyon/web
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "/usr/local/bin/halcyon-healthcheck", "http", "http://127.0.0.1:8000/readyz"]
CMD ["halcyon", "serve", "api"]

# --- signaling -----------------------------------------------------------------------------------
FROM runtime AS signaling
ENV HALCYON_SIGNALING_HOST=0.0.0.0 HALCYON_SIGNALING_PORT=8001 HALCYON_SIGNALING_VAR_DIR=/var/lib/halcyon
EXPOSE 8001
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
  CMD ["python", "/usr/local/bin/halcyon-healthcheck", "http", "http://127.0.0.1:8001/readyz"]
# Its own process: uvloop and a frozen GC, as bench/signaling.py measures it.
CMD ["python", "-m", "services.signaling.main"]

# --- worker (e-mail outbox, reminders, payment reconciliation) ----------------------------------
FROM runtime AS worker
HEALTHCHECK --interval=30s --timeout=10s --start-period=10s --retries=3 \
  CMD ["python", "/usr/local/bin/halcyon-healthcheck", "database"]
CMD ["halcyon", "worker"]
