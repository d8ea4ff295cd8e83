FROM debian:bookworm-20260101-slim@sha256:9d4a2c6f0b8e1d3a5c7e9f1b3d5a7c9e1f3b5d7a9c1e3f5b7d9a1c3e5f7b9d1a
ENV PIP_NO_CACHE_DIR=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates python3-pip \
 && pip install flask==3.0.0 \
 && rm -rf /var/lib/apt/lists/*
RUN --mount=type=cache,target=/var/cache/apk apk add curl
COPY --chown=1000:1000 app.py /srv/app.py
WORKDIR /srv
LABEL org.opencontainers.image.title="app" \
      org.opencontainers.image.version="1.0.0" \
      org.opencontainers.image.revision="0123abcd" \
      org.opencontainers.image.created="2026-01-01T00:00:00Z" \
      org.opencontainers.image.source="https://example.com/app" \
      org.opencontainers.image.licenses="MIT"
USER 1000:1000
EXPOSE 8000/tcp
HEALTHCHECK --interval=5s CMD ["python3", "/srv/app.py", "--check"]
ENTRYPOINT ["python3", "/srv/app.py"]
