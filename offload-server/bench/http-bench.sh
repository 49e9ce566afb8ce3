#!/usr/bin/env bash
# Load benchmark of the HTTP server with wrk (Debian package `wrk`), load generator on the same box.
#   offload-server/bench/http-bench.sh [duration-seconds] [runs]
# Starts ./offload serve on a free port with the in-memory store, then measures, each `runs` times:
#   1. POST /tasks/spin/run {"ms": 0}   (64 connections)  - HTTP + offload-and-wait overhead
#   2. POST /tasks/spin/run {"ms": 10}  (32 connections)  - CPU-bound: ideal is cores x 100 req/s
#   3. POST /jobs {"task": "spin", "input": {"ms": 0}} for the duration, then waits until every job
#      finished: submit rate, and jobs completed per second from first submit to last completion.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
DUR=${1:-10}
RUNS=${2:-3}
PORT=${OFFLOAD_BENCH_PORT:-18090}
URL="http://127.0.0.1:$PORT"
command -v wrk >/dev/null || { echo "wrk not found: apt-get install -y wrk" >&2; exit 1; }
TMP=$(mktemp -d)
trap 'kill -TERM $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -rf "$TMP"' EXIT

for ms in 0 10; do
  printf 'wrk.method = "POST"\nwrk.body = %s\nwrk.headers["Content-Type"] = "application/json"\n' \
    "'{\"ms\": $ms}'" > "$TMP/spin$ms.lua"
done
printf 'wrk.method = "POST"\nwrk.body = %s\nwrk.headers["Content-Type"] = "application/json"\n' \
  "'{\"task\": \"spin\", \"input\": {\"ms\": 0}}'" > "$TMP/jobs.lua"

OFFLOAD_LOG_LEVEL=WARN "$ROOT/offload" serve --port "$PORT" --store memory: > "$TMP/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 120); do curl -sf "$URL/health/ready" >/dev/null && break; sleep 0.5; done

cpu() { awk '{print $14+$15}' "/proc/$SERVER/stat"; }
stat() { curl -s "$URL/stats" | python3 -c "import json,sys; j=json.load(sys.stdin)['jobs']; print($1)"; }

echo "machine: $(nproc) cores, $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ)"
wrk -t2 -c64 -d3s -s "$TMP/spin0.lua" "$URL/tasks/spin/run" > /dev/null   # warm-up (JIT)
for run in $(seq 1 "$RUNS"); do
  echo "--- run $run"
  echo -n "run ms=0:  "; wrk -t2 -c64 -d"${DUR}s" -s "$TMP/spin0.lua" "$URL/tasks/spin/run" | awk '/Requests\/sec/{printf "%s req/s ", $2} /Latency/{printf "(latency avg %s, max %s) ", $2, $4} /Non-2xx/{printf "NON-2XX %s ", $4} END{print ""}'
  # ms=10 is bound by the CPU the server gets; other load on the box takes some. Its own CPU time
  # (utime+stime from /proc) says how many cores it had, so req/s per core received is comparable.
  cpu0=$(cpu)
  echo -n "run ms=10: "; wrk -t2 -c32 -d"${DUR}s" -s "$TMP/spin10.lua" "$URL/tasks/spin/run" | awk '/Requests\/sec/{printf "%s req/s ", $2} /Latency/{printf "(latency avg %s, max %s) ", $2, $4} /Non-2xx/{printf "NON-2XX %s ", $4}'
  cpu1=$(cpu)
  python3 -c "c=($cpu1-$cpu0)/$(getconf CLK_TCK); print(f'; server used {c/$DUR:.2f} cores')"
  before=$(stat "j['succeeded']+j['failed']+j['cancelled']")
  start=$(date +%s.%N)
  echo -n "POST /jobs: "; wrk -t2 -c32 -d"${DUR}s" -s "$TMP/jobs.lua" "$URL/jobs" | awk '/Requests\/sec/{printf "%s submits/s ", $2} /Non-2xx/{printf "NON-2XX %s ", $4}'
  while [ "$(stat "j['queued']+j['running']+j['scheduled']")" != "0" ]; do sleep 0.1; done
  end=$(date +%s.%N)
  done_=$(stat "j['succeeded']+j['failed']+j['cancelled']")
  python3 -c "d=$done_-$before; s=$end-$start; print(f'; {d} jobs completed in {s:.1f} s = {d/s:.0f} jobs/s end to end')"
done
