# syntax=docker/dockerfile:1
# dangvien: one image for every process — `dangvien api` (default), `dangvien worker`,
# `dangvien projector`, and the admin commands. Settings come only from the environment
# (infra/settings.py); see docs/deploy.md and docker-compose.yml.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# Build the project and its dependencies into wheels; the runtime stage gets no compiler, no
# pip cache and no source tree.
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY domain ./domain
COPY workflows ./workflows
COPY projections ./projections
COPY infra ./infra
RUN pip wheel --wheel-dir /wheels .

FROM ${PYTHON_IMAGE}
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 \
    PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \
    DANGVIEN_DATA_DIR=/var/lib/dangvien \
    DANGVIEN_API_HOST=0.0.0.0 \
    DANGVIEN_API_PORT=8000 \
    DANGVIEN_LOG_FORMAT=json
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-index --find-links /wheels dangvien \
 && groupadd --system --gid 10001 dangvien \
 && useradd --system --uid 10001 --gid dangvien --home-dir /var/lib/dangvien \
      --shell /usr/sbin/nologin dangvien \
 && install -d -o dangvien -g dangvien -m 0700 /var/lib/dangvien
USER dangvien
WORKDIR /var/lib/dangvien
EXPOSE 8000
CMD ["dangvien", "api"]
