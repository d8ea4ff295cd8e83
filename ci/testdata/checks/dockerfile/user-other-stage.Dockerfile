FROM golang:1.26.8-bookworm@sha256:9d4a2c6f0b8e1d3a5c7e9f1b3d5a7c9e1f3b5d7a9c1e3f5b7d9a1c3e5f7b9d1a AS build
USER 1000:1000
RUN ["go", "build", "-o", "/tmp/app", "."]

# USER does not carry over to an unrelated stage: this one runs as root.
FROM scratch
COPY --from=build /tmp/app /app
LABEL org.opencontainers.image.title="app" \
      org.opencontainers.image.version="1.0.0" \
      org.opencontainers.image.revision="0123abcd" \
      org.opencontainers.image.created="2026-01-01T00:00:00Z" \
      org.opencontainers.image.source="https://example.com/app" \
      org.opencontainers.image.licenses="MIT"
EXPOSE 8000
HEALTHCHECK CMD ["/app", "healthcheck"]
ENTRYPOINT ["/app"]
