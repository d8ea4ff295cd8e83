#!/usr/bin/env bash
# Pipeline benchmark: `ci publish` against bench/pipeline/sequential.sh, warm and cold, in the
# same run with hyperfine. Cold means an empty BuildKit cache and an empty Go build cache for
# both commands. Publishes to the registry on 127.0.0.1:5000 that .ci/prepare starts.
#
#   bench/pipeline/run.sh            # 3 runs of each command and case
#   RUNS=5 bench/pipeline/run.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source .ci/prepare >/dev/null
runs=${RUNS:-3}
registry=${REGISTRY:-127.0.0.1:5000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/ci" ./ci
pipeline="$work/ci publish -registry $registry -image bench/pipeline -tags edge"
sequential="bench/pipeline/sequential.sh $registry"

echo "## warm (caches kept; one warm-up run each)"
hyperfine --style basic --runs "$runs" --warmup 1 \
  --export-markdown "$work/warm.md" -n pipeline "$pipeline" -n sequential "$sequential"

# A fresh GOCACHE per run and a pruned BuildKit cache. The Go toolchain's standard library is
# rebuilt with -race on each cold run, as on a new machine.
cold_prepare="docker builder prune --all --force >/dev/null; rm -rf $work/gocache; mkdir $work/gocache"
echo "## cold (empty BuildKit and Go build caches)"
GOCACHE=$work/gocache hyperfine --style basic --runs "$runs" --prepare "$cold_prepare" \
  --export-markdown "$work/cold.md" -n pipeline "$pipeline" -n sequential "$sequential"
cat "$work/warm.md" "$work/cold.md"
