#!/usr/bin/env bash
# Renders the ComplianceReports on Kafka (topic compliance.reports, read_committed, latest per policy and
# day) as the Markdown transparency report of scripts/compliance-report.sh.
#   scripts/compliance-report-kafka.sh --bootstrap localhost:9092 --registry http://localhost:8081 [--out dsa.md]
# Options: --bootstrap HOSTS, --registry URL, --topic T, --policy ID (repeatable), --title TEXT, --out FILE.md,
#          --timeout SECONDS, --help.
source "$(dirname "$0")/lib.sh"
moderato_flags "--bootstrap --registry --topic --policy --title --out --timeout" "" "" "$@"
moderato_java flink-jobs runtime io.moderato.jobs.feedback.ComplianceReportFromKafkaCli "$@"
