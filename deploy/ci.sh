#!/usr/bin/env bash
# The deploy checks, offline, in one step:
#   1. render deploy/overlays/{dev,prod}, validate strictly against the Kubernetes schemas, check the
#      manifests agree with the code (ports, probe service names, env names from the binaries' --help)
#   2. lint the Dockerfile (hadolint) and these scripts (shellcheck)
#   3. the checks' own tests (manifest reader, checker, rehearsal with stand-in binaries)
#   4. the broken-copy test: validation must fail on deliberately broken manifests
#   5. the cluster rehearsal with the real binaries: dev overlay, then prod against an S3 emulator
#
#   deploy/ci.sh <bin-dir>            # e.g. target/release: ingest-svc analysis-svc report-svc bankseg
#   deploy/ci.sh --no-binaries        # 1-4 only, env names against the documented contract
#
# Prints PASS/FAIL lines and ends with "deploy: N passed, N failed"; exits non-zero on any failure.
set -uo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ $# -ne 1 ]]; then
    echo "usage: $0 <bin-dir> | --no-binaries" >&2
    exit 64
fi
bin_dir=""
if [[ "$1" != "--no-binaries" ]]; then
    bin_dir="$(cd "$1" 2>/dev/null && pwd)" || { fail "deploy: no directory $1"; echo "deploy: 0 passed, 1 failed"; exit 1; }
    for b in ingest-svc analysis-svc report-svc bankseg; do
        if [[ ! -x "$bin_dir/$b" ]]; then
            fail "deploy: $bin_dir/$b is missing (build with: cargo build --release --locked -p ingest-svc -p analysis-svc -p report-svc -p bankseg)"
            echo "deploy: 0 passed, 1 failed"
            exit 1
        fi
    done
fi

passed=0
failed=0
step() {
    local name="$1"
    shift
    echo "---- deploy: $name"
    local start=$SECONDS
    if "$@"; then
        pass "deploy: $name ($((SECONDS - start)) s)"
        passed=$((passed + 1))
    else
        fail "deploy: $name ($((SECONDS - start)) s)"
        failed=$((failed + 1))
    fi
}

if ! ensure_tools; then
    fail "deploy: tools from deploy/requirements.txt could not be installed"
    echo "deploy: 0 passed, 1 failed"
    exit 1
fi

validate_args=()
[[ -n "$bin_dir" ]] && validate_args=(--bin-dir "$bin_dir")
step "render, strict schema validation, manifests agree with the code" "$DEPLOY_DIR/validate.sh" "${validate_args[@]}"
step "Dockerfile lint" hadolint "$REPO_DIR/Dockerfile"
step "shell scripts lint" shellcheck -x -S warning "$DEPLOY_DIR"/*.sh "$DEPLOY_DIR"/tests/*.sh
step "tests of the checks" "$PY" -m unittest discover -s "$DEPLOY_DIR/tests" -p 'test_*.py'
step "validation fails on broken copies" "$DEPLOY_DIR/tests/test_broken.sh"
if [[ -n "$bin_dir" ]]; then
    step "cluster rehearsal, dev overlay (local store), binaries from $bin_dir" \
        "$DEPLOY_DIR/rehearse.sh" "$bin_dir" --overlay "$DEPLOY_DIR/overlays/dev" --timeout 900
    step "cluster rehearsal, prod overlay (S3 store on an emulator), binaries from $bin_dir" \
        "$DEPLOY_DIR/rehearse.sh" "$bin_dir" --overlay "$DEPLOY_DIR/overlays/prod" --timeout 900
else
    echo "SKIP deploy: cluster rehearsals (no binaries given)"
fi

echo "deploy: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
