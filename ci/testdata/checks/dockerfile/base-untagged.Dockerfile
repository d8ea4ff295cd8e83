FROM golang AS build
RUN ["go", "version"]

FROM localhost:5000/team/base
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
