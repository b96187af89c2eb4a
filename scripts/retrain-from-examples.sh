#!/usr/bin/env bash
# Retrains a model version from TrainingExample Avro files (the FeedbackJob's training.examples), weighting
# every example by 1/propensity, and writes it beside its parent; prints how to activate it in policy.config.
#   scripts/retrain-from-examples.sh --examples /data/training-examples --version 1.1.0
#   scripts/retrain-from-examples.sh --examples part-0-0 --examples part-1-0 --version 1.1.0 \
#       --policy spam --model text-spam --base-version 1.0.0 --models model-resources/src/main/resources/models
# Options: --examples PATH (repeatable, required), --version V (required), --models DIR, --policy P, --modality M,
#          --model NAME, --base-version V, --seed N, --validation-fraction F, --help.
source "$(dirname "$0")/lib.sh"
moderato_flags "--examples --version --models --policy --modality --model --base-version --seed --validation-fraction" "" "" "$@"
moderato_java model-artifacts runtime io.moderato.models.retrain.RetrainFromExamples "$@"
