#!/usr/bin/env bash
# Seeded simulation of the FeedbackJob's quality estimators (issue 11, udfs/docs/statistics.md): interval
# coverage, width, bias and publication share; threshold recommendations (share of windows, share meeting
# p, recall lost against the oracle); audit volume and IPW bias at 60 % review capacity — with the
# estimators before issue 11 measured on the same windows. Markdown on stdout and in the --out file.
#   scripts/quality-simulation.sh                        # 1,000 seeds per scenario, every grid (~10-20 min)
#   scripts/quality-simulation.sh --seeds 200 --grid short --threads 2
source "$(dirname "$0")/lib.sh"

usage() {
  cat <<'USAGE'
usage: scripts/quality-simulation.sh [--seeds N] [--grid all|short|capacity|cumulative] [--threads T] [--out FILE]
  --seeds N     simulated windows per scenario (default 1000)
  --grid G      short: 36 windows of 130-1,000 labels (prevalence 1/3/5 %, audit rates 1-20 %);
                capacity: review capacity at 60 % of load, shared limiter vs audit first;
                cumulative: 3,000 and 10,000 labels, where recommendations become possible;
                all (default): the three
  --threads T   scenarios run in parallel (default 1; the numbers do not depend on it)
  --out FILE    where the tables go besides stdout (default target/quality-simulation.md)
  --help        this text
Progress (one line per finished scenario) goes to stderr.
USAGE
}

args=()
out="$MODERATO_ROOT/target/quality-simulation.md"
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --seeds|--grid|--threads)
      [[ $# -ge 2 ]] || { echo "$(basename "$0"): $1 needs a value" >&2; exit 2; }
      args+=("$1" "$2"); shift 2 ;;
    --out)
      [[ $# -ge 2 ]] || { echo "$(basename "$0"): --out needs a value" >&2; exit 2; }
      out="$2"; shift 2 ;;
    -*) moderato_reject_flag "$1" ;;
    *) moderato_reject_argument "$1" ;;
  esac
done
moderato_java udfs test io.moderato.udfs.metrics.simulation.QualitySimulationReport "${args[@]}" --out "$out"
