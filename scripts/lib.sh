#!/usr/bin/env bash
# Shared helpers for the scripts: build a module once and cache its classpath.
set -euo pipefail

MODERATO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# moderato_classpath MODULE SCOPE  -> prints a classpath for running MODULE's classes.
# SCOPE is 'runtime' (main classes) or 'test' (main + test classes, for benchmarks).
# Rebuilds (quietly, tests skipped) only when a source under the repository changed since the last build.
moderato_classpath() {
  local module="$1" scope="$2"
  local target="$MODERATO_ROOT/$module/target"
  local cpfile="$target/classpath-$scope.txt"
  local stamp="$target/.built-$scope"
  if [[ ! -f "$cpfile" || ! -f "$stamp" ]] || [[ -n "$(find "$MODERATO_ROOT" -path '*/target' -prune -o -path '*/.git' -prune -o \
        \( -name '*.java' -o -name 'pom.xml' -o -name '*.avsc' -o -name '*.json' -o -name '*.onnx' \) -newer "$stamp" -print -quit)" ]]; then
    echo "building $module (first run or sources changed)..." >&2
    mkdir -p "$target"
    local log="$target/build-$scope.log"
    if ! (cd "$MODERATO_ROOT" && mvn -B -q -pl "$module" -am -DskipTests \
        package dependency:build-classpath -Dmdep.includeScope="$scope" -Dmdep.outputFile="target/classpath-$scope.txt") \
        > "$log" 2>&1; then
      cat "$log" >&2
      echo "build of $module failed (log: $log)" >&2
      return 1
    fi
    touch "$stamp"
  fi
  local cp="$target/classes:$(cat "$cpfile")"
  if [[ "$scope" == "test" ]]; then
    cp="$target/test-classes:$cp"
  fi
  echo "$cp"
}

# moderato_java MODULE SCOPE MAIN [ARGS...] -> runs MAIN on MODULE's classpath.
# The classpath goes into an @argfile: ONNX Runtime 1.29 segfaults at start-up when the JVM's
# command line is long (measured here: a -cp of ~2.3 kB crashed, the same via @argfile did not).
moderato_java() {
  local module="$1" scope="$2" main="$3"
  shift 3
  local cp argfile
  cp="$(moderato_classpath "$module" "$scope")"
  argfile="$MODERATO_ROOT/$module/target/java-$scope.args"
  printf -- '-cp\n%s\n' "$cp" > "$argfile"
  exec java $(moderato_java_opts) ${MODERATO_JAVA_OPTS:-} @"$argfile" "$main" "$@"
}

# JVM flags shared by the scripts: ONNX Runtime unpacks its natives into java.io.tmpdir.
moderato_java_opts() {
  local tmp="$MODERATO_ROOT/target/tmp"
  mkdir -p "$tmp"
  echo "-Djava.io.tmpdir=$tmp"
}

# Flag conventions shared by every script: '--help' prints the script's usage and exits 0; an unknown
# flag is rejected with one line naming it (exit 2). Typical use inside a 'while case' loop:
#   -h|--help) usage; exit 0 ;;
#   -*) moderato_reject_flag "$1" ;;
moderato_reject_flag() {
  echo "$(basename "$0"): unknown flag '$1' (see $(basename "$0") --help)" >&2
  exit 2
}

# moderato_reject_argument ARG: one line naming a positional argument the script does not take, exit 2.
moderato_reject_argument() {
  echo "$(basename "$0"): unexpected argument '$1' (see $(basename "$0") --help)" >&2
  exit 2
}

# moderato_need_value REMAINING FLAG: exit 2 naming FLAG when it has no value after it
# (call as `moderato_need_value $# "$1"` inside the usual while/case loop).
moderato_need_value() {
  [[ $1 -ge 2 ]] || { echo "$(basename "$0"): $2 needs a value" >&2; exit 2; }
}

# moderato_usage: prints the calling script's header comment (the '#' lines after the shebang) as its usage.
moderato_usage() {
  sed -n '2,/^[^#]/{/^#/{s/^# \{0,1\}//;p}}' "$0"
}

# moderato_flags "VALUE_FLAGS" "SWITCH_FLAGS" "PREFIXES" ARGS...: checks a script's arguments before anything
# is built. '--help'/'-h' prints the usage (moderato_usage) and exits 0; a flag listed in VALUE_FLAGS must be
# followed by a value; a flag in SWITCH_FLAGS stands alone; a flag starting with one of PREFIXES (e.g.
# '--bench.') takes a value; any other flag is rejected with one line naming it (exit 2).
moderato_flags() {
  local values=" $1 " switches=" $2 " prefixes="$3" prefix
  shift 3
  while [[ $# -gt 0 ]]; do
    case "$1" in
      -h|--help) moderato_usage; exit 0 ;;
      -) shift ;;
      --) return 0 ;;
      -*)
        if [[ "$values" == *" $1 "* ]]; then
          [[ $# -ge 2 ]] || { echo "$(basename "$0"): flag '$1' needs a value" >&2; exit 2; }
          shift 2
          continue
        fi
        if [[ "$switches" == *" $1 "* ]]; then
          shift
          continue
        fi
        for prefix in $prefixes; do
          if [[ "$1" == "$prefix"* ]]; then
            [[ $# -ge 2 ]] || { echo "$(basename "$0"): flag '$1' needs a value" >&2; exit 2; }
            shift 2
            continue 2
          fi
        done
        moderato_reject_flag "$1" ;;
      *) shift ;;
    esac
  done
}
