# Sourced by ./offload, ./run-tests and .ci/run: exports JAVA_HOME pointing at a JDK 21 or newer.
# Order: $OFFLOAD_JAVA_HOME, $JAVA_HOME, java on PATH, then every JDK under /usr/lib/jvm (newest first).
offload_java_version() { # prints the feature version of the JDK at $1, or nothing
  [ -x "$1/bin/javac" ] || return 0
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n1
}
offload_find_java_home() {
  local candidates=() c v
  [ -n "${OFFLOAD_JAVA_HOME:-}" ] && candidates+=("$OFFLOAD_JAVA_HOME")
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v javac >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
  fi
  for c in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do candidates+=("${c%/}"); done
  for c in "${candidates[@]}"; do
    v=$(offload_java_version "$c")
    if [ -n "$v" ] && [ "${v%%.*}" -ge 21 ] 2>/dev/null; then
      echo "$c"
      return 0
    fi
  done
  return 1
}
if ! JAVA_HOME=$(offload_find_java_home); then
  echo "offload: no JDK 21 or newer found (looked at \$OFFLOAD_JAVA_HOME, \$JAVA_HOME, PATH, /usr/lib/jvm)." >&2
  echo "offload: install one, or point OFFLOAD_JAVA_HOME at it." >&2
  exit 1
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
