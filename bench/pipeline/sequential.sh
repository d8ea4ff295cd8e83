#!/usr/bin/env bash
# The yardstick: the steps a hand-written script would take to ship the image, one after the
# other, with no checks beyond "it answered": vet and test the service, build, run it with the
# compose file's hardening flags, poll /health, inspect, push. Usage: sequential.sh REGISTRY
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
registry=${1:?usage: sequential.sh REGISTRY}
docker=${DOCKER:-/usr/bin/docker}
tag="$registry/bench/sequential:edge"
name=bench-sequential-$$

go vet ./service/...
go test -race ./service/...
DOCKER_BUILDKIT=1 "$docker" build --quiet --build-arg VERSION=bench --tag "$tag" . >/dev/null
"$docker" volume create "$name" >/dev/null
trap '"$docker" rm --force "$name" >/dev/null 2>&1; "$docker" volume rm --force "$name" >/dev/null 2>&1' EXIT
"$docker" run --detach --name "$name" --user 1000:1000 --cap-drop ALL --read-only \
  --security-opt no-new-privileges:true --tmpfs /tmp:rw,noexec,nosuid,nodev,size=16m,mode=1777 \
  --volume "$name:/data" --memory 128m --cpus 1 --pids-limit 64 --publish 127.0.0.1::8000 \
  "$tag" >/dev/null
port=$("$docker" port "$name" 8000/tcp | head -n 1 | sed 's/.*://')
for _ in $(seq 1 300); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/health" && break
  sleep 0.1
done
curl -fsS -o /dev/null "http://127.0.0.1:$port/health"
"$docker" inspect "$name" >/dev/null
"$docker" push --quiet "$tag" >/dev/null
