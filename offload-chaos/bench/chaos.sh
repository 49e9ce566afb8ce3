#!/usr/bin/env bash
# Chaos run (docs/CHAOS.md): N jobs through 3 `offload worker` processes on a store, while a random
# worker is SIGKILLed and restarted every few seconds, one is SIGSTOPped for longer than the lease,
# and the store server is crashed and restarted once. Prints and writes (report.json) jobs lost,
# completed twice, charged an attempt never run, and kill-to-rerun times.
#
#   offload-chaos/bench/chaos.sh sqlite|postgresql|redis|all [--jobs N] [--ci] [--lease 2s]
#                                [--seed S] [--out DIR]
#
# --ci: 5,000 jobs unless --jobs says otherwise, shorter limits. Exit code 0 when every store met the
# targets (0, 0, 0), 1 when one did not, 2 on a usage error or a missing tool.
set -euo pipefail
HERE="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
. "$REPO/bin/java-home.sh"
if [ "${OFFLOAD_SKIP_BUILD:-}" != "1" ]; then
  echo "chaos: building the CLI and the harness..." >&2
  (cd "$REPO" && mvn -q -B -ntp -DskipTests package -pl offload-chaos -am) >&2
fi
export OFFLOAD_HOME="$REPO"
exec "$JAVA_HOME/bin/java" -Xmx1g -jar "$REPO/offload-chaos/target/chaos.jar" "$@"
