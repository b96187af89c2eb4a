#!/usr/bin/env bash
# Pre-publish verdict visibility (issue 10, item 14): the real DetectionJob on an embedded Kafka broker with its
# exactly-once sinks, the at-least-once prepublish.verdicts sink and the production checkpoint interval. First the
# maximum rate: a burst of --burst pre-publish events produced faster than the job reads, and the lower of the rates
# at which their verdicts arrive on prepublish.verdicts and their decisions on risk.decisions (middle 80 % of
# arrivals; the whole job shares the cores with the verdict path). Then pre-publish events at half that
# rate (or --rate) for --seconds: how long until each item is visible on prepublish.verdicts (read_committed) and on
# risk.decisions (read_committed, and read_uncommitted for comparison). Prints p50/p90/p99/max and the load average;
# Markdown to target/bench/prepublish.md.
#   scripts/bench-prepublish.sh [--burst 20000] [--rate N] [--seconds 30] [--checkpoint-interval 10s]
#     [--parallelism 2] [--flink key=value,key=value]   (per-item times: flink-jobs/target/bench-prepublish/latency-run.csv)
source "$(dirname "$0")/lib.sh"
moderato_flags "--rate --seconds --checkpoint-interval --burst --parallelism --flink" "" "" "$@"
MODERATO_JAVA_OPTS="-Xmx2g -Dlog4j2.configurationFile=log4j2-bench.properties ${MODERATO_JAVA_OPTS:-}" \
  moderato_java flink-jobs test io.moderato.jobs.bench.PrepublishVisibility \
  --output "$MODERATO_ROOT/target/bench/prepublish.md" \
  --work-dir "$MODERATO_ROOT/flink-jobs/target/bench-prepublish" \
  "$@"
