#!/usr/bin/env bash
# Evaluates a bundled text model on a labelled CSV / TSV / JSON Lines file: prints the metrics of the model cards
# (same code) and writes a precision-recall + calibration plot as self-contained HTML.
#   scripts/evaluate.sh --model text-abuse --policy hate_speech --input labelled.csv \
#       --text-column tweet --label-column class --positive 0
source "$(dirname "$0")/lib.sh"

usage() {
  cat <<'USAGE'
Usage: scripts/evaluate.sh --model NAME --input FILE --text-column C --label-column L [options]
  Scores every row's text with the model as the engine does (manifest featurizer and calibration) and prints
  ROC-AUC, average precision, ECE, per-class precision/recall/F1 and confusion matrices at the policy thresholds,
  recall at precision 0.90/0.95 and a reliability table (Markdown, stdout); writes an HTML plot.
  --model NAME          text model: text-abuse, text-spam
  --version V           model version or 'latest' (default latest)
  --input FILE          labelled data: .csv, .tsv/.tab (header line) or .jsonl/.ndjson
  --text-column C       column holding the text
  --label-column L      column holding the label
  --positive V[,V...]   label values that count as positive (default 1; e.g. '0' or '0,1')
  --policy P            output column to evaluate (needed when the model scores several policies)
  --threshold NAME=X    also report at threshold X (repeatable), besides the manifest's review/action
  --plot FILE           HTML plot (default target/eval/<model>-<version>-<policy>.html)
  --models-dir DIR      load models from DIR/<name>/<version>/ instead of the bundled ones
  --help                this text
Exit codes: 0 ok, 1 input error (file, column, labels), 2 usage or model error.
USAGE
}

args=("$@")
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --model|--version|--input|--text-column|--label-column|--positive|--policy|--threshold|--plot|--models-dir)
      [[ $# -ge 2 ]] || { echo "$(basename "$0"): $1 needs a value" >&2; exit 2; }
      shift 2 ;;
    -*) moderato_reject_flag "$1" ;;
    *) moderato_reject_argument "$1" ;;
  esac
done
moderato_java model-artifacts runtime io.moderato.models.cli.EvaluateCli "${args[@]}"
