#!/usr/bin/env bash
# Load benchmark: whitemagic (request logging on) against a bare net/http server, measured in
# the same run with the same wrk settings, on 127.0.0.1 only.
#
#   bench/load/run.sh                    # 10 s per case
#   DURATION=30s bench/load/run.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
duration=${DURATION:-10s}
threads=${THREADS:-2}
conns=${CONNECTIONS:-32}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }

work=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

go build -o "$work/whitemagic" ./service
go build -o "$work/bare" ./bench/load/bare
mkdir "$work/data"
"$work/whitemagic" -listen 127.0.0.1:18080 -data "$work/data" >"$work/requests.log" &
pids+=($!)
"$work/bare" -listen 127.0.0.1:18081 &
pids+=($!)
mkdir "$work/bare-data"
"$work/bare" -listen 127.0.0.1:18082 -durable-dir "$work/bare-data" &
pids+=($!)
for port in 18080 18081 18082; do
  for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
done
# Seed the keys the mix reads, so GETs find documents on both servers.
for port in 18080 18081 18082; do
  for i in $(seq 0 99); do
    curl -fs -X PUT -H 'Content-Type: application/json' -d '{"seed":true}' \
      "http://127.0.0.1:$port/v1/memories/bench-$i" >/dev/null
  done
done

# bench NAME PORT [wrk args...] prints "rps p99_ms" for one wrk run.
bench() {
  local out
  out=$(wrk --latency -t"$threads" -c"$conns" -d"$duration" "${@:2}" "http://127.0.0.1:$1$path")
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  echo "$rps $p99"
}
to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) print v/1000; else if (v ~ /ms$/) print v+0; else print v*1000 }'; }

# row CASE YARDSTICK_PORT YARDSTICK_NAME [wrk args...] prints one table row.
row() {
  local wm_rps wm_p99 y_rps y_p99
  read -r wm_rps wm_p99 <<<"$(bench 18080 "${@:4}")"
  read -r y_rps y_p99 <<<"$(bench "$2" "${@:4}")"
  printf '| %s | %s | %.0f | %.0f | %s | %s ms | %s ms |\n' "$1" "$3" "$wm_rps" "$y_rps" \
    "$(awk -v a="$wm_rps" -v b="$y_rps" 'BEGIN { printf "%.0f %%", 100*a/b }')" \
    "$(to_ms "$wm_p99")" "$(to_ms "$y_p99")"
}
printf '| case | yardstick | whitemagic req/s | yardstick req/s | ratio | whitemagic p99 | yardstick p99 |\n'
printf '|---|---|---|---|---|---|---|\n'
path=/health; row health 18081 "bare"
path=/; row "PUT/GET 1:3" 18081 "bare, in memory" -s bench/load/mix.lua
path=/; row "PUT/GET 1:3" 18082 "bare, durable writes" -s bench/load/mix.lua
echo "whitemagic logged $(wc -l <"$work/requests.log") request lines"
