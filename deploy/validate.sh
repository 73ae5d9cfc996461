#!/usr/bin/env bash
# Renders each overlay with `kubectl kustomize`, validates the output strictly against the
# Kubernetes schemas (unknown fields, wrong types and unknown kinds all fail), then checks the
# manifests agree with the code (deploy/tests/check_manifests.py).
#
#   deploy/validate.sh [--deploy DIR] [--proto-root DIR] [--bin-dir DIR] [--out DIR]
#
# --deploy      the deploy/ tree to check (default: this one; tests pass a broken copy)
# --bin-dir     compare env names and flags with the binaries' --help instead of the contract
# --out         keep the rendered YAML there (default: a temporary directory)
# Exit status 0 only when every overlay renders, validates and agrees with the code.
set -uo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

deploy="$DEPLOY_DIR"
proto_root="$REPO_DIR/proto/proto"
bin_dir=""
out=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --deploy) deploy="$2"; shift 2 ;;
        --proto-root) proto_root="$2"; shift 2 ;;
        --bin-dir) bin_dir="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        *) echo "usage: $0 [--deploy DIR] [--proto-root DIR] [--bin-dir DIR] [--out DIR]" >&2; exit 64 ;;
    esac
done
ensure_tools || { fail "deploy tools could not be installed"; exit 1; }
if [[ -z "$out" ]]; then
    out="$(mktemp -d)"
    trap 'rm -rf "$out"' EXIT
fi
mkdir -p "$out"

status=0
rendered=()
for overlay in dev prod; do
    if kubectl kustomize "$deploy/overlays/$overlay" > "$out/$overlay.yaml" 2> "$out/$overlay.err"; then
        pass "render overlays/$overlay ($(grep -c '^kind:' "$out/$overlay.yaml") objects)"
        rendered+=("$overlay")
    else
        fail "render overlays/$overlay: $(cat "$out/$overlay.err")"
        status=1
    fi
done

# The rendered overlays, and the files applied by hand (deploy/tools/).
files=()
for overlay in "${rendered[@]}"; do files+=("$out/$overlay.yaml"); done
for f in "$deploy"/tools/*.yaml; do [[ -e "$f" ]] && files+=("$f"); done
for v in $KUBE_VERSIONS; do
    for f in "${files[@]}"; do
        # --quiet prints only problems; an unknown kind or apiVersion is only a warning, so any
        # output at all fails.
        report="$(kubernetes-validate --strict --quiet -k "$v" "$f" 2>&1)"
        rc=$?
        if [[ $rc -eq 0 && -z "$report" ]]; then
            pass "schema (strict, Kubernetes $v) $(basename "$f")"
        else
            fail "schema (strict, Kubernetes $v) $(basename "$f")"
            echo "$report" | sed 's/^/    /'
            status=1
        fi
    done
done

if [[ ${#rendered[@]} -eq 2 ]]; then
    args=(--rendered "$out/dev.yaml" --rendered "$out/prod.yaml" --proto-root "$proto_root"
          --min-replicas "$out/prod.yaml=2")
    [[ -f "$REPO_DIR/Dockerfile" ]] && args+=(--dockerfile "$REPO_DIR/Dockerfile")
    [[ -n "$bin_dir" ]] && args+=(--bin-dir "$bin_dir")
    # object_store's own list of AWS_* variables, when cargo has fetched the version Cargo.lock pins.
    os_version="$(grep -A1 '^name = "object_store"$' "$REPO_DIR/Cargo.lock" 2>/dev/null | sed -n 's/^version = "\(.*\)"/\1/p' | head -1)"
    if [[ -n "$os_version" ]]; then
        os_src="$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"object_store-$os_version" 2>/dev/null | head -1)"
        [[ -n "$os_src" ]] && args+=(--object-store-src "$os_src")
    fi
    "$PY" "$DEPLOY_DIR/tests/check_manifests.py" "${args[@]}" || status=1
else
    fail "manifests-vs-code: not run, an overlay did not render"
fi
exit $status
