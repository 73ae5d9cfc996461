# Sourced by the deploy/ scripts: paths, the pinned Python tools, PASS/FAIL lines.
# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables are for the scripts that source this file

DEPLOY_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$DEPLOY_DIR/.." && pwd)"
# Kubernetes versions the manifests must validate against: the oldest supported and the newest.
KUBE_VERSIONS="${BANKSEG_KUBE_VERSIONS:-1.30.0 1.37.0}"
DEPLOY_VENV="${BANKSEG_DEPLOY_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/bankseg-deploy-venv}"

pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; }

# Creates (once per requirements.txt content) the virtualenv with the pinned tools; sets $PY.
ensure_tools() {
    local want have
    want="$(sha256sum "$DEPLOY_DIR/requirements.txt" | cut -d' ' -f1)"
    have="$(cat "$DEPLOY_VENV/.requirements.sha256" 2>/dev/null || true)"
    if [[ "$want" != "$have" ]]; then
        echo "installing deploy tools into $DEPLOY_VENV" >&2
        rm -rf "$DEPLOY_VENV"
        python3 -m venv "$DEPLOY_VENV" >&2 || return 1
        "$DEPLOY_VENV/bin/pip" install --quiet --disable-pip-version-check \
            -r "$DEPLOY_DIR/requirements.txt" >&2 || return 1
        echo "$want" > "$DEPLOY_VENV/.requirements.sha256"
    fi
    PY="$DEPLOY_VENV/bin/python"
    export PATH="$DEPLOY_VENV/bin:$PATH"
    command -v kubectl >/dev/null || { echo "kubectl is not installed" >&2; return 1; }
}
