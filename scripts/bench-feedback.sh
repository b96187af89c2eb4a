#!/usr/bin/env bash
# Throughput of the real FeedbackJob graph on this machine: RocksDB, exactly-once checkpoints,
# parallelism 2, pre-encoded in-memory decisions and labels, counting sinks. Reports decisions/s and
# labels/s for a production mix (10% labelled) and a label-heavy run; Markdown to target/bench/feedback.md.
#   scripts/bench-feedback.sh [decisions (default 200000)]
source "$(dirname "$0")/lib.sh"
moderato_flags "" "" "" "$@"
MODERATO_JAVA_OPTS="-Xmx2g -Dlog4j2.configurationFile=log4j2-bench.properties ${MODERATO_JAVA_OPTS:-}" \
  moderato_java flink-jobs test \
  io.moderato.jobs.bench.FeedbackBenchmark "${1:-200000}" "$MODERATO_ROOT/target/bench/feedback.md"
