FROM golang:1.26.8-bookworm@sha256:9d4a2c6f0b8e1d3a5c7e9f1b3d5a7c9e1f3b5d7a9c1e3f5b7d9a1c3e5f7b9d1a AS build
WORKDIR /src
COPY . .
RUN ["go", "build", "-o", "/out/app", "."]

ARG NPM_TOKEN
ARG DEPLOY_KEY_PATH=/run/secrets/key
ARG SIGNING_PASSPHRASE=correct-horse
RUN ["go", "version"]

FROM scratch
COPY --from=build /out/app /app
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
