#!/usr/bin/env bash
# Validates policy configs and publishes them to policy.config; --wait N reports the job's verdict.
#   scripts/publish-policy.sh --file spam-v2.json --bootstrap kafka:9092 --registry http://registry:8081 --wait 60
#   scripts/publish-policy.sh --file spam-v2.json --dry-run
# Options: --file F (required), --bootstrap HOSTS, --registry URL, --topic T, --audit-topic T, --wait SECONDS,
#          --dry-run, --help. An unreachable broker or registry is named in one line (exit 1).
# For field-level changes with a diff, see 'scripts/moderato config set'.
source "$(dirname "$0")/lib.sh"
moderato_flags "--file --bootstrap --registry --topic --audit-topic --wait" "--dry-run" "" "$@"
moderato_java flink-jobs test io.moderato.jobs.cli.PublishPolicyCli "$@"
