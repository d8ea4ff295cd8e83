FROM debian:bookworm-20260101-slim@sha256:9d4a2c6f0b8e1d3a5c7e9f1b3d5a7c9e1f3b5d7a9c1e3f5b7d9a1c3e5f7b9d1a
RUN apt-get update && apt-get -y dist-upgrade && rm -rf /var/lib/apt/lists/*
RUN apk upgrade --no-cache
RUN yum -y update && yum clean all
RUN zypper --non-interactive dup
LABEL org.opencontainers.image.title="app" \
      org.opencontainers.image.version="1.0.0" \
      org.opencontainers.image.revision="0123abcd" \
      org.opencontainers.image.created="2026-01-01T00:00:00Z" \
      org.opencontainers.image.source="https://example.com/app" \
      org.opencontainers.image.licenses="MIT"
USER 1000:1000
EXPOSE 8000
HEALTHCHECK CMD ["/app", "healthcheck"]
ENTRYPOINT ["/app"]
