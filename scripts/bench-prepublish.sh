#!/usr/bin/env bash
# Pre-publish verdict visibility (issue 10, item 14): the real DetectionJob on an embedded Kafka broker with
# exactly-once sinks and the production checkpoint interval; pre-publish events produced at a fixed rate; how long
# until each item's decision is visible to a read_committed consumer (and, for comparison, a read_uncommitted one).
# Prints p50/p90/p99/max; Markdown to target/bench/prepublish.md.
#   scripts/bench-prepublish.sh [--rate 100] [--seconds 60] [--checkpoint-interval 10s]
source "$(dirname "$0")/lib.sh"
moderato_flags "--rate --seconds --checkpoint-interval" "" "" "$@"
MODERATO_JAVA_OPTS="-Xmx2g -Dlog4j2.configurationFile=log4j2-bench.properties ${MODERATO_JAVA_OPTS:-}" \
  moderato_java flink-jobs test io.moderato.jobs.bench.PrepublishVisibility \
  --output "$MODERATO_ROOT/target/bench/prepublish.md" \
  --work-dir "$MODERATO_ROOT/flink-jobs/target/bench-prepublish" \
  "$@"
