#!/usr/bin/env bash
# Renders the ComplianceReports on Kafka (topic compliance.reports, read_committed, latest per policy and
# day) as the Markdown transparency report of scripts/compliance-report.sh.
#   scripts/compliance-report-kafka.sh --bootstrap localhost:9092 --registry http://localhost:8081 [--out dsa.md]
# Run 'scripts/compliance-report-kafka.sh --help' for all options.
source "$(dirname "$0")/lib.sh"
moderato_java flink-jobs runtime io.moderato.jobs.feedback.ComplianceReportsCli "$@"
