#!/usr/bin/env bash
# Renders ComplianceReport records (topic compliance.reports) as a Markdown transparency report.
#   scripts/compliance-report.sh reports/                       # a folder of Avro / JSON-lines files
#   scripts/compliance-report.sh --out dsa-2025-06.md part-0-0  # write the Markdown to a file
#   scripts/compliance-report.sh --policy spam - < reports.jsonl
# Options: --out FILE.md, --policy ID (repeatable; a policy with no reports is an error), --title TEXT, --help.
source "$(dirname "$0")/lib.sh"
moderato_flags "--out --policy --title" "" "" "$@"
moderato_java udfs runtime io.moderato.udfs.feedback.ComplianceReportFromFilesCli "$@"
