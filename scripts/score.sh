#!/usr/bin/env bash
# Scores texts with a bundled text model (default text-spam, latest version).
#   scripts/score.sh "Congratulations, you WON a free cruise! Call now"
#   scripts/score.sh --format jsonl --input messages.txt
#   cat messages.txt | scripts/score.sh
# Run 'scripts/score.sh --help' for all options.
source "$(dirname "$0")/lib.sh"
moderato_java model-artifacts runtime io.moderato.models.cli.ScoreCli "$@"
