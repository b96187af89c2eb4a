#!/usr/bin/env bash
# Trains every model in model-artifacts reproducibly and writes the small artifacts that are committed:
#   model-artifacts/src/main/resources/models/<name>/<version>/  manifest.json, *.onnx, MODEL_CARD.md
#   model-artifacts/src/test/resources/parity/text-spam-<version>.jsonl
# The SpamAssassin corpus is fetched first when missing (never committed; default data/spam-assassin).
# Each trainer reloads what it wrote through the udfs ModelRegistry and fails if serving differs from Tribuo.
#
# Usage: scripts/train-models.sh [version] [seed]       (env: SPAM_CORPUS_DIR, MODELS_DIR, PARITY_DIR)
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$REPO_ROOT"
VERSION="${1:-1.0.0}"
SEED="${2:-42}"
CORPUS="${SPAM_CORPUS_DIR:-$REPO_ROOT/data/spam-assassin}"
MODELS="${MODELS_DIR:-$REPO_ROOT/model-artifacts/src/main/resources/models}"
PARITY="${PARITY_DIR:-$REPO_ROOT/model-artifacts/src/test/resources/parity}"

log() { echo "[train-models] $*"; }

log "1/4 corpus: $CORPUS"
"$REPO_ROOT/scripts/fetch-spam-corpus.sh" "$CORPUS"

log "2/4 building udfs + model-artifacts (cached classpath, see scripts/lib.sh)"
source "$REPO_ROOT/scripts/lib.sh"
CP="$(moderato_classpath model-artifacts runtime)"
# classpath via @argfile: ONNX Runtime crashes on long JVM command lines (see scripts/lib.sh)
ARGFILE="$REPO_ROOT/model-artifacts/target/java-train.args"
printf -- '-cp\n%s\n' "$CP" > "$ARGFILE"
JAVA=(java -Xmx2g $(moderato_java_opts) @"$ARGFILE")

START=$(date +%s)
log "3/4 text-spam (version $VERSION, seed $SEED)"
"${JAVA[@]}" io.moderato.models.text.TextSpamTrainer "$CORPUS" "$MODELS" "$VERSION" "$SEED" "$PARITY" 2>&1

log "4/4 embedding heads (synthetic data; version $VERSION, seed $SEED)"
"${JAVA[@]}" io.moderato.models.embedding.EmbeddingHeadTrainer "$MODELS" "$VERSION" "$SEED" 2>&1
END=$(date +%s)

log "done in $((END - START)) s. Outputs:"
for dir in "$MODELS"/*/"$VERSION"; do
  for f in "$dir"/*; do
    printf '  %-90s %8s\n' "${f#"$REPO_ROOT"/}" "$(numfmt --to=iec --suffix=B "$(stat -c %s "$f")")"
  done
done
for f in "$PARITY"/*-"$VERSION".jsonl; do
  printf '  %-90s %8s\n' "${f#"$REPO_ROOT"/}" "$(numfmt --to=iec --suffix=B "$(stat -c %s "$f")")"
done
log "commit them with: git add model-artifacts/src/main/resources/models model-artifacts/src/test/resources/parity"
