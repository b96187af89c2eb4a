#!/usr/bin/env bash
# Validates policy configs and publishes them to policy.config; --wait N reports the job's verdict.
#   scripts/publish-policy.sh --file spam-v2.json --bootstrap kafka:9092 --registry http://registry:8081 --wait 60
#   scripts/publish-policy.sh --file spam-v2.json --dry-run
source "$(dirname "$0")/lib.sh"
moderato_java flink-jobs test io.moderato.jobs.cli.PublishPolicyCli "$@"
