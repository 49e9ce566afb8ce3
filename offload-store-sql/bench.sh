#!/usr/bin/env bash
# Store-level benchmark of the SQL stores (see BENCHMARKS.md, "SQL stores").
# Usage: offload-store-sql/bench.sh URL [JOBS] [FINISHED_JOBS_IN_TABLE]
#   offload-store-sql/bench.sh sqlite:/tmp/offload-bench.db 100000
#   offload-store-sql/bench.sh 'postgresql://postgres@127.0.0.1:5432/test?currentSchema=offload_bench' 50000 1000000
# The PostgreSQL schema (or SQLite file) is emptied first: point it at a scratch store.
set -euo pipefail
cd "$(dirname "$0")/.."
. bin/java-home.sh
mvn -B -ntp -q -Dstyle.color=never -pl offload-store-sql -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/tmp/offload-bench-build.log 2>&1 \
  || { cat /tmp/offload-bench-build.log; exit 1; }
cp="offload-store-sql/target/test-classes:offload-store-sql/target/classes:$(cat offload-store-sql/target/bench.classpath)"
exec java --enable-native-access=ALL-UNNAMED -cp "$cp" dev.offload.store.sql.bench.SqlStoreBench "$@"
