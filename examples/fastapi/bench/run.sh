#!/usr/bin/env bash
# The FastAPI benchmark: the seed's original (FastAPI + ProcessPoolExecutor, BackgroundTasks) and
# examples/fastapi on Offload, driven by one load client (load.py), in one run on this machine.
#
#   examples/fastapi/bench/run.sh [ROUNDS]        # default 3 rounds; prints a Markdown table
#
# Settings (environment): BENCH_SECONDS (5, per GET measurement), BENCH_CONCURRENCY (16 users),
# BENCH_JOBS0 (1500 no-op jobs), BENCH_JOBS20 (300 jobs of 20 ms), BENCH_APP_WORKERS (uvicorn
# workers of the Offload app, 2; the original must keep 1: its jobs live in a dict in its process),
# BENCH_PYTHON (/usr/bin/python3: Debian's python3-fastapi and python3-uvicorn).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
ROUNDS="${1:-3}"
SECS="${BENCH_SECONDS:-5}"
C="${BENCH_CONCURRENCY:-16}"
JOBS0="${BENCH_JOBS0:-1500}"
JOBS20="${BENCH_JOBS20:-300}"
APP_WORKERS="${BENCH_APP_WORKERS:-2}"
PY="${BENCH_PYTHON:-/usr/bin/python3}"
"$PY" -c 'import fastapi, uvicorn' || { echo "bench: $PY needs python3-fastapi and python3-uvicorn" >&2; exit 1; }
. "$ROOT/bin/java-home.sh"
"$ROOT/offload" --help >/dev/null   # builds offload-cli/target/offload.jar when sources changed

TMP="$(mktemp -d)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 1 300); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "bench: $1 did not answer" >&2; exit 1; }

# Offload: durable SQLite store, the Python task in Python children (one per core).
OPORT="$(free_port)"
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -jar "$ROOT/offload-cli/target/offload.jar" serve \
  --port "$OPORT" --store "sqlite:$TMP/bench.db" --python "$ROOT/examples/fastapi/tasks.py" \
  --python-interpreter "$PY" >"$TMP/offload.log" 2>&1 &
PIDS+=($!); JAVA_PID=$!
wait_http "http://127.0.0.1:$OPORT/health/ready"

export PYTHONPATH="$ROOT/clients/python/src:$ROOT/examples/fastapi"
ORIG_PORT="$(free_port)"
"$PY" -m uvicorn seed_app:app --app-dir "$ROOT/examples/fastapi/original" --port "$ORIG_PORT" \
  --log-level warning >"$TMP/original.log" 2>&1 &
PIDS+=($!); ORIG_PID=$!
APP_PORT="$(free_port)"
OFFLOAD_URL="http://127.0.0.1:$OPORT" "$PY" -m uvicorn app:app --app-dir "$ROOT/examples/fastapi" \
  --port "$APP_PORT" --workers "$APP_WORKERS" --log-level warning >"$TMP/app.log" 2>&1 &
PIDS+=($!); APP_PID=$!
wait_http "http://127.0.0.1:$ORIG_PORT/openapi.json"
wait_http "http://127.0.0.1:$APP_PORT/openapi.json"

LOAD=("$PY" "$HERE/load.py")
ORIG="http://127.0.0.1:$ORIG_PORT"; APP="http://127.0.0.1:$APP_PORT"
PIDLIST="$ORIG_PID,$APP_PID,$JAVA_PID"
echo "bench: warming up (JIT, pools)" >&2
for url in "$ORIG" "$APP"; do
  "${LOAD[@]}" "$url" get 0 5 "$C" >/dev/null
  "${LOAD[@]}" "$url" get 10 3 "$C" >/dev/null
  "${LOAD[@]}" "$url" flow 0 500 "$C" >/dev/null
done
RESULTS="$TMP/results.jsonl"
for round in $(seq 1 "$ROUNDS"); do
  for scenario in "get 0 $SECS" "get 10 $SECS" "flow 0 $JOBS0" "flow 20 $JOBS20"; do
    for side in original offload; do
      url="$ORIG"; [ "$side" = offload ] && url="$APP"
      # shellcheck disable=SC2086
      line="$("${LOAD[@]}" "$url" $scenario "$C" --pids "$PIDLIST")"
      echo "{\"round\": $round, \"side\": \"$side\", \"scenario\": \"${scenario% *}\", \"result\": $line}" >>"$RESULTS"
      echo "bench: round $round, $side, ${scenario% *}: $(echo "$line" | "$PY" -c 'import json,sys; print("%.1f/s" % json.load(sys.stdin)["rate"])')" >&2
    done
  done
done
"$PY" "$HERE/load.py" summarize "$RESULTS" "$ORIG_PID" "$APP_PID" "$JAVA_PID"
