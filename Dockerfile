# whitemagic: a static Go binary on an empty base, run as 1000:1000.
#
# GO_IMAGE is the build stage's base. Point it at a mirror on an air-gapped site; .ci/prepare
# assembles an image of this name from the machine's own Go toolchain when none can be pulled.
ARG GO_IMAGE=golang:1.26.8-bookworm

FROM ${GO_IMAGE} AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=readonly

# The service imports the standard library only: go.mod is all the module graph it needs, and
# copying service/ alone keeps pipeline and test changes from invalidating this stage.
COPY go.mod go.sum ./
COPY service/ ./service/

# The layout of the final image, made where a shell exists: the account for uid/gid 1000, a
# /data owned by it (so a fresh named volume is writable) and a sticky, world-writable /tmp.
RUN mkdir -p /out/etc /out/data /out/tmp \
 && echo 'whitemagic:x:1000:1000:whitemagic:/data:/sbin/nologin' > /out/etc/passwd \
 && echo 'whitemagic:x:1000:' > /out/etc/group \
 && chown 1000:1000 /out/data && chmod 0750 /out/data && chmod 1777 /out/tmp

# Build arguments come late so that a new version or revision relinks the binary and nothing
# else; the cache mount keeps compiled packages across builds.
ARG VERSION=dev
ARG REVISION=unknown
ARG CREATED=unknown
RUN --mount=type=cache,target=/root/.cache/go-build \
    go build -trimpath -buildvcs=false \
      -ldflags="-s -w -X main.version=${VERSION} -X main.revision=${REVISION} -X main.created=${CREATED}" \
      -o /out/whitemagic ./service

FROM scratch
COPY --from=build /out/ /

ARG VERSION=dev
ARG REVISION=unknown
ARG CREATED=unknown
ARG SOURCE=https://github.com/whitemagic/whitemagic
LABEL org.opencontainers.image.title="whitemagic" \
      org.opencontainers.image.description="A small hardened HTTP service with a durable key/value API" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="MIT"

ENV WHITEMAGIC_LISTEN=:8000 WHITEMAGIC_DATA=/data
USER 1000:1000
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 \
  CMD ["/whitemagic", "healthcheck"]
ENTRYPOINT ["/whitemagic"]
CMD ["serve"]
