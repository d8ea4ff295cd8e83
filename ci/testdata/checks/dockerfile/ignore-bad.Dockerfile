ARG GO_IMAGE=golang:1.26.8-bookworm
# whitemagic:ignore WM-DF-008
FROM ${GO_IMAGE} AS build
RUN ["go", "build", "-o", "/out/app", "."]

FROM scratch
COPY --from=build /out/app /app
LABEL org.opencontainers.image.title="app" \
      org.opencontainers.image.version="1.0.0" \
      org.opencontainers.image.revision="0123abcd" \
      org.opencontainers.image.created="2026-01-01T00:00:00Z" \
      org.opencontainers.image.source="https://example.com/app" \
      org.opencontainers.image.licenses="MIT"
# whitemagic:ignore WM-DF-999 reason: no such rule
# whitemagic:ignore WM-IG-001 reason: ignores cannot be ignored
# whitemagic:ignore reason: names no rule
USER 1000:1000
# whitemagic:ignore WM-DF-018 reason: nothing here exposes 22, so this ignore is stale
EXPOSE 8000
HEALTHCHECK CMD ["/app", "healthcheck"]
ENTRYPOINT ["/app"]
