"""Tests of the deploy checks themselves: the manifest reader, the manifest-vs-code check (against
the contract, and against --help of stand-in binaries), and the rehearsal end to end with stand-in
binaries (deploy/tests/fakes/) that serve grpc.health.v1 like the real services.

    python -m unittest discover -s deploy/tests -p 'test_*.py' -v
"""

from __future__ import annotations

import copy
import io
import os
import stat
import sys
import tempfile
import textwrap
import unittest
from contextlib import redirect_stdout
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEPLOY = HERE.parent
REPO = DEPLOY.parent
sys.path.insert(0, str(HERE))

import check_manifests  # noqa: E402
import rehearse  # noqa: E402
from manifests import Objects, load, parse_help, proto_services, render, traffic_allowed  # noqa: E402

PROTO_ROOT = REPO / "proto" / "proto"
_RENDERED: dict[str, str] = {}


def rendered(overlay: str) -> str:
    if overlay not in _RENDERED:
        _RENDERED[overlay] = render(DEPLOY / "overlays" / overlay)
    return _RENDERED[overlay]


def objects(overlay: str) -> Objects:
    return Objects.of(load(rendered(overlay)))


def make_fake_bin(root: Path, drop_env: str = "", skip: tuple[str, ...] = ()) -> Path:
    """A bin dir whose four executables run the stand-ins with this Python."""
    bin_dir = root / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    fakes = HERE / "fakes"
    for name in ("ingest-svc", "analysis-svc", "report-svc", "bankseg"):
        if name in skip:
            continue
        if name == "bankseg":
            target = f'"{fakes / "fake_bankseg.py"}"'
        else:
            target = f'"{fakes / "fake_service.py"}" {name}'
        drop = f"FAKE_DROP_ENV={drop_env} " if drop_env else ""
        script = bin_dir / name
        script.write_text(f'#!/bin/sh\n{drop}exec "{sys.executable}" {target} "$@"\n')
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return bin_dir


def check(objs: Objects, bin_dir: Path | None = None, min_replicas: int = 1) -> check_manifests.Checker:
    args = check_manifests.argparse.Namespace(
        proto_root=PROTO_ROOT,
        bin_dir=bin_dir,
        dockerfile=REPO / "Dockerfile",
        object_store_src=None,
    )
    return check_manifests.check_objects(objs, check_manifests.Context(args), "test", min_replicas)


def mutated(overlay: str, fn) -> Objects:
    docs = copy.deepcopy(load(rendered(overlay)))
    fn(docs)
    return Objects.of(docs)


def find(docs, kind, name):
    return next(d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name)


def container(docs, name):
    return find(docs, "Deployment", name)["spec"]["template"]["spec"]["containers"][0]


class HelpAndProto(unittest.TestCase):
    def test_parse_long_clap_help(self):
        text = textwrap.dedent(
            """\
            Usage: ingest-svc [OPTIONS]

            Options:
                  --listen <LISTEN>
                      Address to listen on (gRPC + Arrow Flight)

                      [env: BANKSEG_LISTEN=]
                      [default: 0.0.0.0:50051]

                  --allowed-roots <ALLOWED_ROOTS>
                      Comma-separated directories

                      [env: BANKSEG_ALLOWED_ROOTS=]

              -h, --help
                      Print help
            """
        )
        h = parse_help(text)
        self.assertEqual(h.flags, {"--listen", "--allowed-roots", "--help"})
        self.assertEqual(h.env, {"BANKSEG_LISTEN": "0.0.0.0:50051", "BANKSEG_ALLOWED_ROOTS": None})

    def test_parse_short_clap_help(self):
        text = "Options:\n      --lang <LANG>  Report language [env: BANKSEG_LANG=] [default: ru] [possible values: ru, en]\n  -h, --help  Print help\n"
        h = parse_help(text)
        self.assertEqual(h.flags, {"--lang", "--help"})
        self.assertEqual(h.env, {"BANKSEG_LANG": "ru"})

    def test_proto_services_read_from_the_contract(self):
        self.assertEqual(proto_services(PROTO_ROOT, "ingest"), ["bankseg.ingest.v1.IngestService"])
        self.assertEqual(proto_services(PROTO_ROOT, "analysis"), ["bankseg.analysis.v1.AnalysisService"])
        self.assertEqual(proto_services(PROTO_ROOT, "report"), ["bankseg.report.v1.ReportService"])
        self.assertEqual(proto_services(PROTO_ROOT, "common"), [])

    def test_dockerfile_final_stage(self):
        copied, user = check_manifests.load_dockerfile(REPO / "Dockerfile")
        self.assertEqual(
            copied,
            {"/usr/local/bin/ingest-svc", "/usr/local/bin/analysis-svc", "/usr/local/bin/report-svc", "/usr/local/bin/bankseg"},
        )
        self.assertEqual(user, 65532)


class Reading(unittest.TestCase):
    def test_env_resolves_config_maps_and_secrets(self):
        objs = objects("prod")
        env = {e.name: e for e in objs.env(objs.deployment_for("analysis-svc"))}
        self.assertEqual(env["BANKSEG_STORE"].value, "s3://bankseg-prod-artifacts")
        self.assertEqual(env["BANKSEG_INGEST_URL"].value, "http://ingest-svc:50051")
        self.assertEqual(env["BANKSEG_SHUTDOWN_GRACE_SECS"].value, "25")
        self.assertIsNone(env["AWS_SECRET_ACCESS_KEY"].value)
        self.assertEqual(env["AWS_SECRET_ACCESS_KEY"].source, "Secret/bankseg-store-credentials")

    def test_dev_has_local_store_and_no_secrets(self):
        objs = objects("dev")
        for b in ("ingest-svc", "analysis-svc", "report-svc"):
            env = objs.env_map(objs.deployment_for(b))
            self.assertEqual(env["BANKSEG_STORE"], "/var/lib/bankseg/store")
            self.assertNotIn("AWS_ACCESS_KEY_ID", env)
        self.assertEqual(objs.env_map(objs.cronjob())["BANKSEG_INPUT_LATEST"], "/exchange/exports/")

    def test_resolve_url_follows_service_to_container_port(self):
        objs = objects("dev")
        w, port = objs.resolve_url("http://report-svc:50053")
        self.assertEqual((w.name, port), ("report-svc", 50053))
        w, port = objs.resolve_url("http://ingest-svc.bankseg-dev.svc.cluster.local:50051")
        self.assertEqual((w.name, port), ("ingest-svc", 50051))
        self.assertIsNone(objs.resolve_url("http://ingest-svc.other-ns:50051"))
        self.assertIsNone(objs.resolve_url("http://ingest-svc:50052"))

    def test_network_policies(self):
        objs = objects("prod")
        runner = objs.cronjob()
        ingest, analysis, report = (objs.deployment_for(b) for b in ("ingest-svc", "analysis-svc", "report-svc"))
        self.assertTrue(traffic_allowed(objs, runner, ingest, 50051))
        self.assertTrue(traffic_allowed(objs, analysis, ingest, 50051))
        self.assertTrue(traffic_allowed(objs, report, analysis, 50052))
        self.assertFalse(traffic_allowed(objs, report, ingest, 50051))
        self.assertFalse(traffic_allowed(objs, ingest, analysis, 50052))
        self.assertFalse(traffic_allowed(objs, runner, report, 8080))


class ManifestCheck(unittest.TestCase):
    def assertFailsWith(self, objs, text, bin_dir=None, min_replicas=1):
        c = check(objs, bin_dir, min_replicas)
        self.assertTrue(any(text in f for f in c.failures), f"no failure containing {text!r} in {c.failures}")

    def test_both_overlays_pass(self):
        for overlay, n in (("dev", 1), ("prod", 2)):
            c = check(objects(overlay), min_replicas=n)
            self.assertEqual(c.failures, [], overlay)
            self.assertGreater(c.passed, 200)

    def test_dev_is_not_prod(self):
        self.assertFailsWith(objects("dev"), "Deployment/ingest-svc: replicas 1 below 2", min_replicas=2)

    def test_probe_service_unknown(self):
        def fn(docs):
            container(docs, "report-svc")["livenessProbe"]["grpc"]["service"] = "bankseg.report.v1.Report"
        self.assertFailsWith(mutated("dev", fn), "livenessProbe asks for health of 'bankseg.report.v1.Report'")

    def test_readiness_on_flight_only_is_not_enough(self):
        def fn(docs):
            container(docs, "ingest-svc")["readinessProbe"]["grpc"]["service"] = "arrow.flight.protocol.FlightService"
        self.assertFailsWith(mutated("dev", fn), "readinessProbe should ask for ingest-svc's own service")

    def test_container_port_differs_from_listen(self):
        def fn(docs):
            container(docs, "analysis-svc")["ports"][0]["containerPort"] = 50059
        self.assertFailsWith(mutated("prod", fn), "BANKSEG_LISTEN 0.0.0.0:50052 does not listen on the grpc container port 50059")

    def test_config_map_typo(self):
        def fn(docs):
            cm = next(d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith("bankseg-runtime"))
            cm["data"]["BANKSEG_STOER"] = cm["data"].pop("BANKSEG_STORE")
        objs = mutated("prod", fn)
        self.assertFailsWith(objs, "env BANKSEG_STOER is not read by ingest-svc")
        self.assertFailsWith(objs, "required env BANKSEG_STORE is not set")

    def test_unknown_aws_variable(self):
        def fn(docs):
            container(docs, "ingest-svc")["env"].append({"name": "AWS_ENDPOINT_URI", "value": "http://minio:9000"})
        self.assertFailsWith(mutated("prod", fn), "env AWS_ENDPOINT_URI is not an object_store AWS setting")

    def test_credentials_must_come_from_a_secret(self):
        def fn(docs):
            for e in container(docs, "report-svc")["env"]:
                if e["name"] == "AWS_SECRET_ACCESS_KEY":
                    e.pop("valueFrom")
                    e["value"] = "plain"
        self.assertFailsWith(mutated("prod", fn), "S3 store needs AWS_SECRET_ACCESS_KEY from a Secret")

    def test_local_store_must_be_writable(self):
        def fn(docs):
            for m in container(docs, "ingest-svc")["volumeMounts"]:
                if m["name"] == "store":
                    m["readOnly"] = True
        self.assertFailsWith(mutated("dev", fn), "local store /var/lib/bankseg/store is not on a writable volume")

    def test_service_target_port(self):
        def fn(docs):
            find(docs, "Service", "report-svc")["spec"]["ports"][1]["targetPort"] = "dashboard"
        self.assertFailsWith(mutated("dev", fn), "Service/report-svc: targetPort dashboard is not a port")

    def test_network_policy_too_open(self):
        def fn(docs):
            # ingest-svc accepts anyone on 50051, and report-svc may connect to it.
            del find(docs, "NetworkPolicy", "ingest-svc")["spec"]["ingress"][0]["from"]
            find(docs, "NetworkPolicy", "report-svc")["spec"]["egress"].append(
                {"to": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "ingest-svc"}}}], "ports": [{"protocol": "TCP", "port": 50051}]}
            )
        self.assertFailsWith(mutated("prod", fn), "NetworkPolicy allows Deployment/report-svc -> Deployment/ingest-svc:50051")

    def test_object_store_port_blocked(self):
        def fn(docs):
            cm = next(d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith("bankseg-object-store"))
            cm["data"]["AWS_ENDPOINT"] = "http://minio.storage:9900"
        self.assertFailsWith(mutated("prod", fn), "NetworkPolicy blocks CronJob/bankseg-runner from the object store http://minio.storage:9900 (port 9900)")

    def test_dns_blocked(self):
        def fn(docs):
            docs.remove(find(docs, "NetworkPolicy", "bankseg-dns-and-object-store"))
        self.assertFailsWith(mutated("dev", fn), "NetworkPolicy blocks DNS (port 53) for Deployment/ingest-svc")

    def test_local_exports_must_be_readable_by_ingest(self):
        def fn(docs):
            for e in container(docs, "ingest-svc")["env"]:
                if e["name"] == "BANKSEG_ALLOWED_ROOTS":
                    e["value"] = "/srv/bankseg/exports"
        self.assertFailsWith(mutated("dev", fn), "--input-latest /exchange/exports/ is outside ingest-svc's BANKSEG_ALLOWED_ROOTS ['/srv/bankseg/exports']")

        def fn2(docs):
            c = container(docs, "ingest-svc")
            c["volumeMounts"] = [m for m in c["volumeMounts"] if m["name"] != "exchange"]
        self.assertFailsWith(mutated("dev", fn2), "ingest-svc does not mount the same volume at the same path")

    def test_ingest_memory_budget_fits_the_limit(self):
        def fn(docs):
            container(docs, "ingest-svc")["resources"]["limits"]["memory"] = "1280Mi"
        self.assertFailsWith(mutated("prod", fn), "BANKSEG_INGEST_MEMORY_LIMIT_MB 1024 leaves less than a quarter of the memory limit (1280 MiB)")
        self.assertEqual(check_manifests.memory_bytes("2Gi"), 2 * 2**30)
        self.assertEqual(check_manifests.memory_bytes("512Mi"), 512 * 2**20)
        self.assertEqual(check_manifests.memory_bytes("1G"), 10**9)

    def test_hpa_owns_replicas(self):
        def fn(docs):
            find(docs, "Deployment", "analysis-svc")["spec"]["replicas"] = 2
        self.assertFailsWith(mutated("prod", fn), "Deployment/analysis-svc: replicas is set, but HorizontalPodAutoscaler/analysis-svc owns it", min_replicas=2)

    def test_publish_must_not_overlap_the_store(self):
        def fn(docs):
            cm = next(d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith("bankseg-runtime"))
            cm["data"]["BANKSEG_STORE"] = "s3://bankseg-prod-exchange"
        self.assertFailsWith(mutated("prod", fn), "--publish s3://bankseg-prod-exchange/reports/ overlaps the services' store s3://bankseg-prod-exchange")

    def test_runner_flag_unknown(self):
        def fn(docs):
            cj = next(d for d in docs if d["kind"] == "CronJob")
            cj["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["args"].append("--latest=s3://x/")
        self.assertFailsWith(mutated("prod", fn), "bankseg run has no flag --latest")

    def test_hpa_needs_cpu_requests(self):
        def fn(docs):
            del container(docs, "analysis-svc")["resources"]["requests"]["cpu"]
        self.assertFailsWith(mutated("prod", fn), "scales on cpu but the pods request none", min_replicas=2)

    def test_against_binaries_help(self):
        with tempfile.TemporaryDirectory() as d:
            bin_dir = make_fake_bin(Path(d))
            for overlay, n in (("dev", 1), ("prod", 2)):
                c = check(objects(overlay), bin_dir, n)
                self.assertEqual(c.failures, [], overlay)

    def test_binary_that_does_not_read_a_variable(self):
        with tempfile.TemporaryDirectory() as d:
            bin_dir = make_fake_bin(Path(d), drop_env="BANKSEG_INGEST_URL")
            self.assertFailsWith(objects("prod"), "Deployment/analysis-svc: env BANKSEG_INGEST_URL is not read by analysis-svc", bin_dir)
            bin_dir = make_fake_bin(Path(d) / "b", drop_env="BANKSEG_INPUT_LATEST")
            self.assertFailsWith(objects("prod"), "CronJob/bankseg-runner: env BANKSEG_INPUT_LATEST is not read by bankseg run", bin_dir)


class Rehearsal(unittest.TestCase):
    def run_rehearsal(self, rendered_text: str, **fake) -> tuple[int, str]:
        with tempfile.TemporaryDirectory() as d:
            bin_dir = make_fake_bin(Path(d), **fake)
            path = Path(d) / "dev.yaml"
            path.write_text(rendered_text)
            buf = io.StringIO()
            with redirect_stdout(buf):
                code = rehearse.main(["--bin-dir", str(bin_dir), "--rendered", str(path), "--timeout", "120", "--workdir", str(Path(d) / "work")])
            return code, buf.getvalue()

    def test_plan_rewrites_only_addresses_and_volumes(self):
        objs = objects("dev")
        with tempfile.TemporaryDirectory() as d:
            planner = rehearse.Planner(objs, Path("/opt/bin"), Path(d))
            ingest = planner.plan(objs.deployment_for("ingest-svc"))
            iport = planner.ports[("ingest-svc", 50051)]
            self.assertEqual(ingest.argv, ["/opt/bin/ingest-svc"])
            self.assertEqual(ingest.env["BANKSEG_LISTEN"], f"127.0.0.1:{iport}")
            self.assertEqual(ingest.env["BANKSEG_STORE"], f"{d}/pods/ingest-svc/store")
            self.assertEqual(ingest.env["BANKSEG_LOG_FORMAT"], "json")
            self.assertEqual(ingest.env["BANKSEG_INGEST_WORK_DIR"], f"{d}/pods/ingest-svc/work")
            self.assertEqual(ingest.env["BANKSEG_SHUTDOWN_GRACE_SECS"], "25")
            self.assertEqual(
                set(ingest.env),
                {"HOME", "BANKSEG_LISTEN", "BANKSEG_ALLOWED_ROOTS", "BANKSEG_STORE", "BANKSEG_MAX_MESSAGE_BYTES",
                 "BANKSEG_INGEST_WORK_DIR", "BANKSEG_INGEST_MEMORY_LIMIT_MB",
                 "BANKSEG_REQUEST_TIMEOUT_SECS", "BANKSEG_SHUTDOWN_GRACE_SECS", "BANKSEG_LOG_FORMAT", "RUST_LOG",
                 "AWS_REGION"},
            )
            analysis = planner.plan(objs.deployment_for("analysis-svc"))
            self.assertEqual(analysis.env["BANKSEG_INGEST_URL"], f"http://127.0.0.1:{iport}")
            report = planner.plan(objs.deployment_for("report-svc"))
            self.assertEqual(report.env["BANKSEG_HTTP_LISTEN"], f"127.0.0.1:{planner.ports[('report-svc', 8080)]}")
            runner = planner.plan(objs.cronjob(), Path(d) / "run")
            self.assertEqual(
                runner.argv,
                [
                    "/opt/bin/bankseg", "run", f"--out={d}/run/pods/bankseg-runner/out",
                    f"--ingest=http://127.0.0.1:{iport}",
                    f"--analysis=http://127.0.0.1:{planner.ports[('analysis-svc', 50052)]}",
                    f"--report=http://127.0.0.1:{planner.ports[('report-svc', 50053)]}",
                ],
            )
            self.assertEqual(runner.env["BANKSEG_INPUT_LATEST"], f"{d}/claims/bankseg-exchange/exports/")
            self.assertEqual(runner.env["BANKSEG_PUBLISH"], f"{d}/claims/bankseg-exchange/reports/")
            self.assertEqual(ingest.env["BANKSEG_ALLOWED_ROOTS"], f"{d}/claims/bankseg-exchange/exports")
            self.assertEqual(runner.env["BANKSEG_LANG"], "ru")

    def test_secrets_are_not_invented(self):
        objs = objects("prod")
        with tempfile.TemporaryDirectory() as d:
            planner = rehearse.Planner(objs, Path("/opt/bin"), Path(d))
            with self.assertRaisesRegex(rehearse.ManifestError, "AWS_ACCESS_KEY_ID comes from Secret/bankseg-store-credentials"):
                planner.plan(objs.deployment_for("ingest-svc"))

    def test_full_rehearsal_with_stand_ins(self):
        code, out = self.run_rehearsal(rendered("dev"))
        self.assertEqual(code, 0, out)
        self.assertIn("PASS rehearsal: Deployment/analysis-svc readinessProbe: grpc.health.v1 'bankseg.analysis.v1.AnalysisService' SERVING", out)
        self.assertIn("PASS rehearsal: the CronJob command exited 0", out)
        self.assertRegex(out, r"PASS rehearsal: --publish \(/\S+/claims/bankseg-exchange/reports/an-[0-9a-f]{12}/\): report.html, report.md, analysis.json, quality.json, clean.parquet present and well-formed")
        self.assertIn("PASS rehearsal: on a broken export the CronJob command exits 2", out)
        self.assertIn("PASS rehearsal: report-svc drained and exited 0", out)

    def test_full_rehearsal_of_prod_against_the_s3_emulator(self):
        code, out = self.run_rehearsal(rendered("prod"))
        self.assertEqual(code, 0, out)
        self.assertIn("INFO rehearsal: S3 emulator on http://127.0.0.1:", out)
        self.assertIn("(region eu-central-1), buckets: ['bankseg-prod-artifacts', 'bankseg-prod-exchange']", out)
        self.assertIn("BANKSEG_INPUT_LATEST=s3://bankseg-prod-exchange/exports/", out)
        self.assertRegex(out, r"PASS rehearsal: --publish \(s3://bankseg-prod-exchange/reports/an-[0-9a-f]{12}/\): report.html")
        self.assertIn("PASS rehearsal: analysis-svc: artifacts under s3://bankseg-prod-artifacts/analyses/", out)
        self.assertIn("says: error: ingest: s3://bankseg-prod-exchange/exports/export-2026-01-01.csv", out)

    def test_rehearsal_fails_on_a_probe_the_service_does_not_serve(self):
        broken = rendered("dev").replace("service: bankseg.ingest.v1.IngestService", "service: bankseg.ingest.v1.Ingest")
        code, out = self.run_rehearsal(broken)
        self.assertEqual(code, 1, out)
        self.assertIn("readinessProbe health of 'bankseg.ingest.v1.Ingest'", out)
        self.assertIn("is rpc error NOT_FOUND", out)

    def test_rehearsal_fails_when_a_service_url_points_at_the_wrong_port(self):
        broken = rendered("dev").replace("--report=http://report-svc:50053", "--report=http://report-svc:8080")
        code, out = self.run_rehearsal(broken)
        self.assertEqual(code, 1, out)
        self.assertIn("stage connect failed", out)

    def test_rehearsal_fails_without_a_binary(self):
        code, out = self.run_rehearsal(rendered("dev"), skip=("report-svc",))
        self.assertEqual(code, 1, out)
        self.assertIn("report-svc does not exist", out)


if __name__ == "__main__":
    unittest.main()
