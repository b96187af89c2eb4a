#!/usr/bin/env bash
# Scores texts with a bundled text model (default text-spam, latest version).
#   scripts/score.sh "Congratulations, you WON a free cruise! Call now"
#   scripts/score.sh --format jsonl --input messages.txt
#   cat messages.txt | scripts/score.sh
# Options: --model NAME, --version V|latest, --models-dir DIR, --input FILE|-, --input-format lines|jsonl,
#          --format table|jsonl, --batch N, --help. The first run builds the project.
source "$(dirname "$0")/lib.sh"
moderato_flags "--model --version --models-dir --input --input-format --format --batch" "" "" "$@"
moderato_java model-artifacts runtime io.moderato.models.cli.ScoreCli "$@"
