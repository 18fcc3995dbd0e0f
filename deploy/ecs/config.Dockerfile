# syntax=docker/dockerfile:1
# The Greenlight image plus your greenlight.yml, for ECS on Fargate (a task cannot bind-mount a
# file from a host). Built from the repository root, where greenlight.yml is; its own ignore file
# (config.Dockerfile.dockerignore) sends nothing else to the builder. See deploy/README.md.
ARG GREENLIGHT_IMAGE=greenlight:latest
FROM ${GREENLIGHT_IMAGE}
COPY --chown=root:root --chmod=0444 greenlight.yml /app/config/greenlight.yml
ENV GREENLIGHT_CONFIG=/app/config/greenlight.yml
