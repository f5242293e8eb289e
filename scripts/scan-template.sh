#!/usr/bin/env bash
# The template scan of `make lint`: checkov on template.yaml, offline (--skip-download). Fails on any
# failed check, and on a template checkov could not read (which checkov itself answers with status 0).
# Every check the template does not meet is skipped in the template, with its reason
# (Metadata: checkov: skip), so the scan is clean and each exception is a decision a reviewer can read.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${CHECKOV_VENV:-$ROOT/.venv-checkov}"
TEMPLATE="${1:-$ROOT/template.yaml}"
report="$(mktemp)"
trap 'rm -f "$report"' EXIT

status=0
"$VENV/bin/checkov" --file "$TEMPLATE" --framework cloudformation --skip-download --compact --quiet \
  --output cli --output json --output-file-path "console,$report" || status=$?
"$VENV/bin/python" - "$report" "$TEMPLATE" <<'PY'
import json
import sys

summary = json.load(open(sys.argv[1]))["summary"]
if summary["parsing_errors"] or not summary["resource_count"]:
    sys.exit(f"scan-template: checkov could not read {sys.argv[2]}: {summary}")
PY
exit "$status"
