#!/usr/bin/env bash
# Shows that the validation step (deploy/validate.sh) fails on broken manifests: each case copies
# deploy/ to a temporary directory, breaks one thing, and requires validate.sh to exit non-zero
# with a FAIL line naming the problem. The unbroken copy must pass first, so a case cannot pass
# because the copy is broken in some other way.
set -uo pipefail
# shellcheck source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

# case NAME FILE SED-EXPRESSION EXPECTED-OUTPUT  (FILE relative to deploy/; "-" as SED deletes FILE)
case_() {
    local name="$1" file="$2" expr="$3" expected="$4" copy="$work/$1" out
    rm -rf "$copy"
    cp -r "$DEPLOY_DIR" "$copy"
    if [[ "$expr" == "-" ]]; then
        rm "$copy/$file"
    else
        cp "$copy/$file" "$copy/$file.orig"
        sed -i -e "$expr" "$copy/$file"
        if cmp -s "$copy/$file" "$copy/$file.orig"; then
            fail "broken-copy $name: the edit did not change $file"; failed=$((failed + 1)); return
        fi
        rm "$copy/$file.orig"
    fi
    out="$("$DEPLOY_DIR/validate.sh" --deploy "$copy" 2>&1)"
    local rc=$?
    if [[ $rc -ne 0 ]] && grep -q '^FAIL' <<<"$out" && grep -qF -- "$expected" <<<"$out"; then
        pass "broken-copy $name: validation exits $rc and reports: $(grep -F -m1 -- "$expected" <<<"$out" | sed 's/^ *//' | cut -c1-160)"
        passed=$((passed + 1))
    else
        fail "broken-copy $name: validation exited $rc without reporting '$expected':"
        sed 's/^/    /' <<<"$out"
        failed=$((failed + 1))
    fi
}

ensure_tools || { fail "deploy tools could not be installed"; exit 1; }

# Baseline: an exact copy validates.
cp -r "$DEPLOY_DIR" "$work/unbroken"
if out="$("$DEPLOY_DIR/validate.sh" --deploy "$work/unbroken" 2>&1)"; then
    pass "broken-copy baseline: the unbroken copy validates"
    passed=$((passed + 1))
else
    fail "broken-copy baseline: the unbroken copy does not validate:"
    sed 's/^/    /' <<<"$out"
    echo "$passed passed, $((failed + 1)) failed"
    exit 1
fi

# Schema: misspelled field, wrong type, unknown kind, unknown apiVersion.
case_ misspelled-field base/ingest-svc.yaml 's/^  replicas: 1$/  replcas: 1/' "'replcas' was unexpected"
case_ wrong-type base/report-svc.yaml 's/containerPort: 8080/containerPort: eighty/' "'eighty' is not of type 'integer'"
case_ unknown-kind base/pdb.yaml '0,/kind: PodDisruptionBudget/s//kind: PodDisruptionBugdet/' "Couldn't find schema for kind PodDisruptionBugdet"
case_ unknown-api-version overlays/prod/analysis-svc-hpa.yaml 's#autoscaling/v2#autoscaling/v3#' "Couldn't find schema for kind HorizontalPodAutoscaler"
case_ old-api-field base/cronjob.yaml '/status: "True"/d' "'status' is a required property"
# Rendering: a resource file the kustomization names is missing.
case_ missing-resource base/cronjob.yaml - "FAIL render overlays/dev"
# Schema-valid, but disagrees with the code.
case_ probe-service base/analysis-svc.yaml 's/service: bankseg.analysis.v1.AnalysisService/service: bankseg.analysis.v1.AnalysisSvc/' "asks for health of 'bankseg.analysis.v1.AnalysisSvc'"
case_ env-name base/kustomization.yaml 's/BANKSEG_SHUTDOWN_GRACE_SECS=25/BANKSEG_SHUTDOWN_GRACE_SEC=25/' "env BANKSEG_SHUTDOWN_GRACE_SEC is not read by"
case_ listen-port base/ingest-svc.yaml 's/"0.0.0.0:50051"/"0.0.0.0:50055"/' "BANKSEG_LISTEN 0.0.0.0:50055 does not listen on the grpc container port 50051"
case_ peer-url base/analysis-svc.yaml 's#http://ingest-svc:50051#http://ingest-svc:50052#' "BANKSEG_INGEST_URL=http://ingest-svc:50052 reaches no Service port"
case_ drain-time base/report-svc.yaml 's/terminationGracePeriodSeconds: 30/terminationGracePeriodSeconds: 10/' "terminationGracePeriodSeconds 10 does not match"
case_ network-policy base/networkpolicy.yaml 's/port: 50053/port: 50054/' "NetworkPolicy blocks CronJob/bankseg-runner -> Deployment/report-svc:50053"
case_ writable-root base/ingest-svc.yaml 's/readOnlyRootFilesystem: true/readOnlyRootFilesystem: false/' "readOnlyRootFilesystem must be true"
case_ prod-replicas overlays/prod/replicas-and-spread.yaml '0,/replicas: 2/s//replicas: 1/' "replicas 1 below 2"
case_ cron-concurrency base/cronjob.yaml 's/concurrencyPolicy: Forbid/concurrencyPolicy: Allow/' "concurrencyPolicy must be Forbid"

echo "broken-copy: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
