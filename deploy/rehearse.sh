#!/usr/bin/env bash
# Cluster rehearsal without a cluster: starts ingest-svc, analysis-svc and report-svc from <bin-dir>
# as separate processes with the environment an overlay gives their containers (dev by default; prod
# against an S3 emulator on loopback), waits for their gRPC health probes, runs the CronJob's command
# line against them, checks the reports, and drains them with SIGTERM. Details: tests/rehearse.py.
#
#   deploy/rehearse.sh <bin-dir> [--overlay deploy/overlays/prod] [--workdir DIR] [--timeout SECS]
set -uo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if [[ $# -lt 1 ]]; then
    echo "usage: $0 <bin-dir> [--overlay DIR] [--workdir DIR] [--timeout SECS]" >&2
    exit 64
fi
bin_dir="$1"
shift
ensure_tools || { fail "deploy tools could not be installed"; exit 1; }
exec "$PY" "$DEPLOY_DIR/tests/rehearse.py" --bin-dir "$bin_dir" "$@"
