#!/usr/bin/env python3
"""Cluster rehearsal without a cluster.

    rehearse.py --bin-dir target/release [--overlay deploy/overlays/dev | --rendered dev.yaml]
    rehearse.py --bin-dir target/release --overlay deploy/overlays/prod

Starts ingest-svc, analysis-svc and report-svc as separate processes with exactly the environment
and arguments the rendered manifests give their containers, with three rewrites only: listen
addresses and Service URLs go to free loopback ports (through the Service -> targetPort -> container
port chain, so a wrong port in a manifest fails here), and each mounted volume becomes a temporary
directory (emptyDir per pod, a PersistentVolumeClaim shared by claim name, ConfigMap volumes
written out). When the manifests keep data in s3:// locations (prod), an S3 emulator (moto) runs on a
loopback port and the overlay is pointed at it as an operator points it at MinIO (AWS_ENDPOINT and
AWS_ALLOW_HTTP in the object-store ConfigMap, keys in place of the Secret), with the buckets created.
Then, like the kubelet and the CronJob controller:

  1. waits for every startup/readiness/liveness probe's grpc.health.v1 service to be SERVING;
  2. checks report-svc's dashboard port answers HTTP;
  3. puts two exports where the CronJob looks (an old broken one, and a newer one made by
     `bankseg generate --rows 2000 --seed 7`), runs the CronJob's command line, and checks it exits 0
     and that report.html, report.md, analysis.json, quality.json, clean.parquet are in --out and
     in the one new folder under --publish (<publish>/<analysis id>/), with the right content types;
  4. runs it again with only the broken export: it must exit 2 and say "error" on stderr, and
     publish nothing;
  5. sends SIGTERM to each service: each must exit 0 within terminationGracePeriodSeconds;
  6. checks each service's stderr is JSON lines when the manifests ask for BANKSEG_LOG_FORMAT=json,
     and that each kept its artifacts (datasets/, analyses/, reports/) in the store it was given.

Every wait is bounded; the whole run is bounded by --timeout. Exits non-zero on any failure.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from manifests import (  # noqa: E402
    BIN_DIR_IN_IMAGE,
    SERVICE_BINARIES,
    ManifestError,
    Objects,
    Workload,
    load,
    render,
    volume,
)

RUN_OUTPUTS = ("report.html", "report.md", "analysis.json", "quality.json", "clean.parquet")
NEW_EXPORT = "export-2026-02-01.csv"
OLD_EXPORT = "export-2026-01-01.csv"
BROKEN_EXPORT = "not,a,bank,export\n1,2,3,4\n"


class RehearsalFailure(Exception):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Plan:
    """How one container becomes one local process."""

    workload: Workload
    argv: list[str]
    env: dict[str, str]
    cwd: Path
    mounts: dict[str, Path]  # mountPath -> host directory
    ports: dict[int, int] = field(default_factory=dict)  # container port -> loopback port

    def host_path(self, container_path: str) -> Path | None:
        for mp in sorted(self.mounts, key=len, reverse=True):
            if container_path == mp or container_path.startswith(mp.rstrip("/") + "/"):
                return self.mounts[mp] / container_path[len(mp):].lstrip("/")
        return None


class Planner:
    """Turns the rendered manifests into process plans under `root`."""

    def __init__(self, objs: Objects, bin_dir: Path, root: Path, secrets: dict[tuple[str, str], str] | None = None):
        self.objs = objs
        self.bin_dir = bin_dir
        self.root = root
        # (Secret name, key) -> value, for the variables the manifests take from Secrets
        self.secrets = secrets or {}
        # (Deployment name, container port) -> loopback port
        self.ports: dict[tuple[str, int], int] = {}
        for w in objs.workloads():
            if w.kind != "Deployment":
                continue
            for p in w.container.get("ports") or []:
                self.ports[(w.name, int(p["containerPort"]))] = free_port()

    def mounts(self, w: Workload, volume_root: Path) -> dict[str, Path]:
        out: dict[str, Path] = {}
        for m in w.container.get("volumeMounts") or []:
            v = volume(w, m["name"])
            if v is None:
                raise ManifestError(f"{w.label()}: volumeMount {m['name']} has no volume")
            if "emptyDir" in v:
                host = volume_root / "pods" / w.name / v["name"]
            elif "persistentVolumeClaim" in v:
                # One directory per claim, shared by every pod that mounts it.
                host = self.root / "claims" / v["persistentVolumeClaim"]["claimName"]
            elif "configMap" in v:
                host = volume_root / "pods" / w.name / v["name"]
                cm = self.objs.get("ConfigMap", v["configMap"]["name"])
                if cm is None:
                    raise ManifestError(f"{w.label()}: volume {v['name']} needs ConfigMap {v['configMap']['name']}")
                host.mkdir(parents=True, exist_ok=True)
                for k, text in (cm.get("data") or {}).items():
                    (host / k).write_text(text)
            else:
                raise ManifestError(f"{w.label()}: the rehearsal cannot provide volume {v['name']} ({sorted(v)})")
            host.mkdir(parents=True, exist_ok=True)
            out[m["mountPath"]] = host
        return out

    def rewrite(self, w: Workload, value: str, mounts: dict[str, Path]) -> str:
        m = re.match(r"https?://([^/:]+)", value)
        if m:
            host = m.group(1)
            in_cluster = self.objs.get("Service", host.split(".")[0]) is not None or ".svc" in host
            if not in_cluster:
                return value  # outside the cluster (the object store endpoint)
            target = self.objs.resolve_url(value)
            if target is None:
                raise ManifestError(f"{w.label()}: {value} reaches no Service port backed by a container port")
            dst, port = target
            return f"http://127.0.0.1:{self.ports[(dst.name, port)]}"
        m = re.fullmatch(r"(0\.0\.0\.0|\[::\]|127\.0\.0\.1|localhost):(\d+)", value)
        if m and w.kind == "Deployment":
            port = int(m.group(2))
            if (w.name, port) not in self.ports:
                raise ManifestError(f"{w.label()}: listens on {value}, which is not one of its container ports")
            return f"127.0.0.1:{self.ports[(w.name, port)]}"
        scheme = "file://" if value.startswith("file://") else ""
        path = value[len(scheme):]
        if path.startswith("/"):
            for mp in sorted(mounts, key=len, reverse=True):
                if path == mp or path.startswith(mp.rstrip("/") + "/"):
                    rest = path[len(mp):]
                    return scheme + str(mounts[mp]) + rest
        return value

    def plan(self, w: Workload, volume_root: Path | None = None) -> Plan:
        volume_root = volume_root or self.root
        mounts = self.mounts(w, volume_root)
        env: dict[str, str] = {"HOME": str(volume_root / "home")}
        (volume_root / "home").mkdir(parents=True, exist_ok=True)
        for c_env in w.container.get("env") or []:
            ref = (c_env.get("valueFrom") or {}).get("secretKeyRef")
            if ref and (ref["name"], ref["key"]) in self.secrets:
                env[c_env["name"]] = self.secrets[(ref["name"], ref["key"])]
        for e in self.objs.env(w):
            if e.value is None:
                if e.name in env:
                    continue
                raise ManifestError(
                    f"{w.label()}: env {e.name} comes from {e.source}; the rehearsed overlay must not need it"
                )
            env[e.name] = self.rewrite(w, e.value, mounts)
        command = w.container.get("command") or []
        if not command or not command[0].startswith(BIN_DIR_IN_IMAGE + "/"):
            raise ManifestError(f"{w.label()}: command {command} is not a binary of the image")
        argv = [str(self.bin_dir / w.binary), *command[1:]]
        for a in w.container.get("args") or []:
            if a.startswith("--") and "=" in a:
                flag, val = a.split("=", 1)
                argv.append(f"{flag}={self.rewrite(w, val, mounts)}")
            else:
                argv.append(self.rewrite(w, a, mounts))
        workdir = w.container.get("workingDir", "/tmp")
        cwd = Path(self.rewrite(w, workdir, mounts))
        if not cwd.is_absolute() or not str(cwd).startswith(str(volume_root)):
            cwd = volume_root / "pods" / w.name / "cwd"
        cwd.mkdir(parents=True, exist_ok=True)
        ports = {cp: lp for (name, cp), lp in self.ports.items() if name == w.name}
        return Plan(workload=w, argv=argv, env=env, cwd=cwd, mounts=mounts, ports=ports)


def log(status: str, msg: str) -> None:
    print(f"{status} rehearsal: {msg}", flush=True)


def tail(path: Path, n: int = 20) -> str:
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join("    | " + line for line in lines[-n:])


def grpc_health(port: int, service: str, timeout: float) -> str:
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        try:
            resp = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=timeout)
        except grpc.RpcError as e:
            return f"rpc error {e.code().name}"
        return health_pb2.HealthCheckResponse.ServingStatus.Name(resp.status)


def split_s3(uri: str) -> tuple[str, str]:
    """`s3://bucket/some/prefix/` -> ("bucket", "some/prefix/")."""
    bucket, _, key = uri[len("s3://"):].partition("/")
    return bucket, key


class ObjectStore:
    """An S3 emulator (moto) on a loopback port, for manifests that keep their data in s3:// locations.
    The manifests are pointed at it the way deploy/README.md tells an operator to point them at MinIO:
    AWS_ENDPOINT and AWS_ALLOW_HTTP merged into the object-store ConfigMap, keys in the Secret."""

    ACCESS_KEY = "rehearsal"
    SECRET_KEY = "rehearsal-secret"

    def __init__(self, region: str):
        import logging

        import boto3
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self.port = free_port()
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.server.start()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.region = region
        self.client = boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=self.ACCESS_KEY,
            aws_secret_access_key=self.SECRET_KEY,
            region_name=region,
        )

    def stop(self) -> None:
        self.server.stop()

    def create_bucket(self, bucket: str) -> None:
        conf = {} if self.region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": self.region}}
        self.client.create_bucket(Bucket=bucket, **conf)

    def keys(self, uri: str) -> list[str]:
        """Keys under `uri`, relative to it."""
        bucket, prefix = split_s3(uri)
        out = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            out += [o["Key"][len(prefix):] for o in page.get("Contents", [])]
        return out

    def put(self, uri: str, data: bytes) -> None:
        bucket, key = split_s3(uri)
        self.client.put_object(Bucket=bucket, Key=key, Body=data)

    def get(self, uri: str) -> bytes:
        bucket, key = split_s3(uri)
        return self.client.get_object(Bucket=bucket, Key=key)["Body"].read()

    def delete_prefix(self, uri: str) -> None:
        bucket, prefix = split_s3(uri)
        for k in self.keys(uri):
            self.client.delete_object(Bucket=bucket, Key=prefix + k)


def s3_locations(objs: Objects) -> list[str]:
    out = []
    for w in objs.workloads():
        for e in objs.env(w):
            if e.value and e.value.startswith("s3://"):
                out.append(e.value)
        for a in w.container.get("args") or []:
            v = a.split("=", 1)[-1]
            if v.startswith("s3://"):
                out.append(v)
    return out


def point_at(objs: Objects, store: ObjectStore, config_map: str) -> dict[tuple[str, str], str]:
    """Adds the emulator's endpoint to the object-store ConfigMap; returns the Secret values to use."""
    cms = [c for c in objs.all("ConfigMap") if c["metadata"]["name"] == config_map or c["metadata"]["name"].startswith(config_map + "-")]
    if len(cms) != 1:
        raise ManifestError(f"the manifests use s3:// but have no ConfigMap {config_map} to point at an object store")
    cms[0].setdefault("data", {}).update({"AWS_ENDPOINT": store.endpoint, "AWS_ALLOW_HTTP": "true"})
    secrets: dict[tuple[str, str], str] = {}
    for w in objs.workloads():
        for e in w.container.get("env") or []:
            ref = (e.get("valueFrom") or {}).get("secretKeyRef")
            if ref and ref["key"] == "AWS_ACCESS_KEY_ID":
                secrets[(ref["name"], ref["key"])] = store.ACCESS_KEY
            elif ref and ref["key"] == "AWS_SECRET_ACCESS_KEY":
                secrets[(ref["name"], ref["key"])] = store.SECRET_KEY
    for bucket in sorted({split_s3(loc)[0] for loc in s3_locations(objs)}):
        store.create_bucket(bucket)
    return secrets


class Rehearsal:
    def __init__(self, objs: Objects, bin_dir: Path, root: Path, rows: int, seed: int,
                 store: ObjectStore | None = None, secrets: dict[tuple[str, str], str] | None = None):
        self.objs = objs
        self.bin_dir = bin_dir
        self.root = root
        self.rows = rows
        self.seed = seed
        self.s3 = store
        self.planner = Planner(objs, bin_dir, root, secrets)
        self.procs: dict[str, tuple[subprocess.Popen, Plan, Path]] = {}
        self.logs = root / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)

    # -- services --

    def start_services(self) -> None:
        for binary in SERVICE_BINARIES:
            w = self.objs.deployment_for(binary)
            if w is None:
                raise RehearsalFailure(f"no Deployment runs {binary}")
            if not (self.bin_dir / binary).is_file():
                raise RehearsalFailure(f"{self.bin_dir / binary} does not exist")
            plan = self.planner.plan(w)
            err = self.logs / f"{w.name}.stderr"
            out = self.logs / f"{w.name}.stdout"
            (self.logs / f"{w.name}.env").write_text("".join(f"{k}={v}\n" for k, v in sorted(plan.env.items())))
            with out.open("wb") as o, err.open("wb") as e:
                proc = subprocess.Popen(
                    plan.argv,
                    env=plan.env,
                    cwd=plan.cwd,
                    stdin=subprocess.DEVNULL,
                    stdout=o,
                    stderr=e,
                    start_new_session=True,
                )
            self.procs[w.name] = (proc, plan, err)
            ports = ", ".join(f"{cp}->127.0.0.1:{lp}" for cp, lp in sorted(plan.ports.items()))
            log("INFO", f"started {w.label()} pid {proc.pid} ({ports})")

    def wait_for_probes(self, deadline_secs: float) -> None:
        for name, (proc, plan, err) in self.procs.items():
            w = plan.workload
            for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
                p = w.container.get(probe)
                if not p or "grpc" not in p:
                    raise RehearsalFailure(f"{w.label()}: {probe} is not a gRPC probe")
                port = plan.ports.get(int(p["grpc"]["port"]))
                if port is None:
                    raise RehearsalFailure(f"{w.label()}: {probe} port {p['grpc']['port']} is not a container port")
                service = p["grpc"].get("service", "")
                # As long as the kubelet would wait: the startup probe's whole budget, then the
                # readiness and liveness probes' failure thresholds.
                budget = min(deadline_secs, p.get("periodSeconds", 10) * p.get("failureThreshold", 3) + p.get("timeoutSeconds", 1))
                end = time.monotonic() + budget
                status = "not tried"
                while time.monotonic() < end:
                    if proc.poll() is not None:
                        raise RehearsalFailure(f"{w.label()} exited with {proc.returncode} before it was healthy:\n{tail(err)}")
                    status = grpc_health(port, service, timeout=max(1, p.get("timeoutSeconds", 1)))
                    if status == "SERVING":
                        break
                    time.sleep(0.3)
                if status != "SERVING":
                    raise RehearsalFailure(
                        f"{w.label()}: {probe} health of {service!r} on 127.0.0.1:{port} is {status} after {budget:.0f} s:\n{tail(err)}"
                    )
                log("PASS", f"{w.label()} {probe}: grpc.health.v1 {service!r} SERVING")

    def check_dashboard(self) -> None:
        w = self.objs.deployment_for("report-svc")
        if w is None or w.port("http") is None:
            return
        port = self.planner.ports[(w.name, w.port("http"))]
        end = time.monotonic() + 15
        last = ""
        while time.monotonic() < end:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/reports/no-such-report")
                resp = conn.getresponse()
                resp.read()
                conn.close()
                log("PASS", f"report-svc dashboard answers HTTP {resp.status} on its http port")
                return
            except OSError as e:
                last = str(e)
                time.sleep(0.3)
        raise RehearsalFailure(f"report-svc dashboard on 127.0.0.1:{port} does not answer HTTP: {last}")

    def stop_services(self) -> None:
        failures = []
        for name, (proc, plan, err) in self.procs.items():
            if proc.poll() is not None:
                failures.append(f"{name} had already exited with {proc.returncode}:\n{tail(err)}")
                continue
            grace = plan.workload.pod_spec.get("terminationGracePeriodSeconds", 30)
            os.kill(proc.pid, signal.SIGTERM)
            started = time.monotonic()
            try:
                code = proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
                failures.append(f"{name} did not stop within terminationGracePeriodSeconds={grace} after SIGTERM")
                continue
            took = time.monotonic() - started
            if code != 0:
                failures.append(f"{name} exited {code} after SIGTERM (expected 0):\n{tail(err)}")
            else:
                log("PASS", f"{name} drained and exited 0 {took:.1f} s after SIGTERM (grace {grace} s)")
        if failures:
            raise RehearsalFailure("\n".join(failures))

    def kill_all(self) -> None:
        for proc, _, _ in self.procs.values():
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass

    def check_json_logs(self) -> None:
        for name, (proc, plan, err) in self.procs.items():
            if plan.env.get("BANKSEG_LOG_FORMAT") != "json":
                continue
            lines = [line for line in err.read_text(errors="replace").splitlines() if line.strip()]
            if not lines:
                raise RehearsalFailure(f"{name} logged nothing on stderr")
            for line in lines:
                try:
                    json.loads(line)
                except ValueError:
                    raise RehearsalFailure(f"{name}: BANKSEG_LOG_FORMAT=json but a log line is not JSON: {line[:200]}")
            log("PASS", f"{name}: {len(lines)} log lines, all JSON")

    # -- the CronJob --

    def runner_setting(self, plan: Plan, flag: str, var: str) -> str | None:
        for a in plan.argv[1:]:
            if a.startswith(flag + "="):
                return a.split("=", 1)[1]
        return plan.env.get(var)

    def run_job(self, label: str, volume_root: Path, exports: dict[str, str | None]) -> tuple[int, Plan, Path, float]:
        """Runs the CronJob's container once with `exports` (name -> text, None: generated) in its
        --input-latest directory, the first name oldest. Returns (exit code, plan, stderr path)."""
        cj = self.objs.cronjob()
        if cj is None:
            raise RehearsalFailure("no CronJob in the manifests")
        plan = self.planner.plan(cj, volume_root)
        latest = self.runner_setting(plan, "--input-latest", "BANKSEG_INPUT_LATEST") or ""
        remote = latest.startswith("s3://")
        if remote:
            if self.s3 is None:
                raise RehearsalFailure("--input-latest is on S3 but no object store runs")
            self.s3.delete_prefix(latest)
            inbox = volume_root / "staging"
        elif latest.startswith(str(self.root)):
            inbox = Path(latest)
        else:
            raise RehearsalFailure(f"the CronJob's --input-latest {latest!r} is neither s3:// nor a local directory on a volume")
        if inbox.exists():
            shutil.rmtree(inbox)
        inbox.mkdir(parents=True)
        now = time.time()
        for i, (name, text) in enumerate(exports.items()):
            path = inbox / name
            if text is None:
                gen = [str(self.bin_dir / "bankseg"), "generate", "--rows", str(self.rows), "--seed", str(self.seed), "--out", str(path)]
                proc = subprocess.run(gen, capture_output=True, text=True, timeout=120, env={"HOME": str(volume_root / "home")}, check=False)
                if proc.returncode != 0 or not path.is_file():
                    raise RehearsalFailure(f"{' '.join(gen)} exited {proc.returncode}: {proc.stderr.strip()[-2000:]}")
            else:
                path.write_text(text)
            stamp = now - 3600 * (len(exports) - i)
            os.utime(path, (stamp, stamp))
            if remote:
                # S3 keeps last-modified times to the second: upload oldest first, a second apart.
                if i:
                    time.sleep(1.1)
                self.s3.put(latest.rstrip("/") + "/" + name, path.read_bytes())
        deadline = min(cj.obj["spec"]["jobTemplate"]["spec"].get("activeDeadlineSeconds", 300), 300)
        err = self.logs / f"runner-{label}.stderr"
        out = self.logs / f"runner-{label}.stdout"
        (self.logs / f"runner-{label}.env").write_text("".join(f"{k}={v}\n" for k, v in sorted(plan.env.items())))
        shown = " ".join(f"{k}={plan.env[k]}" for k in sorted(plan.env) if k.startswith("BANKSEG_"))
        log("INFO", f"{label}: {shown} {' '.join(plan.argv)}")
        started = time.monotonic()
        with out.open("wb") as o, err.open("wb") as e:
            proc = subprocess.Popen(plan.argv, env=plan.env, cwd=plan.cwd, stdin=subprocess.DEVNULL, stdout=o, stderr=e, start_new_session=True)
            try:
                code = proc.wait(timeout=deadline)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
                raise RehearsalFailure(f"{label}: the CronJob command ran past {deadline} s:\n{tail(err)}")
        return code, plan, err, time.monotonic() - started

    def check_outputs(self, where: str, directory: Path) -> None:
        for f in RUN_OUTPUTS:
            p = directory / f
            if not p.is_file() or p.stat().st_size == 0:
                raise RehearsalFailure(f"{where}: {p} is missing or empty (have: {sorted(x.name for x in directory.glob('*')) if directory.is_dir() else 'no directory'})")
        html = (directory / "report.html").read_text(errors="replace").lower()
        if "<html" not in html:
            raise RehearsalFailure(f"{where}: report.html is not an HTML document")
        for f in ("analysis.json", "quality.json"):
            try:
                doc = json.loads((directory / f).read_text())
            except ValueError as e:
                raise RehearsalFailure(f"{where}: {f} is not JSON: {e}")
            if not isinstance(doc, dict) or not doc:
                raise RehearsalFailure(f"{where}: {f} is not a non-empty JSON object")
        data = (directory / "clean.parquet").read_bytes()
        if not (data[:4] == b"PAR1" and data[-4:] == b"PAR1"):
            raise RehearsalFailure(f"{where}: clean.parquet is not a Parquet file")
        log("PASS", f"{where}: {', '.join(RUN_OUTPUTS)} present and well-formed")

    def publish_location(self) -> str:
        cj = self.objs.cronjob()
        if cj is None:
            raise RehearsalFailure("no CronJob in the manifests")
        plan = self.planner.plan(cj, self.root / "probe")
        publish = self.runner_setting(plan, "--publish", "BANKSEG_PUBLISH") or ""
        if publish.startswith("s3://") and self.s3 is not None:
            return publish
        if not publish.startswith(str(self.root)):
            raise RehearsalFailure(f"the CronJob's --publish {publish!r} is neither s3:// nor a local directory on a volume")
        return publish

    def published(self) -> set[str]:
        """Folders under the CronJob's --publish location (one per published run)."""
        publish = self.publish_location()
        if publish.startswith("s3://"):
            return {k.split("/", 1)[0] for k in self.s3.keys(publish.rstrip("/") + "/") if "/" in k}
        p = Path(publish)
        return {x.name for x in p.iterdir() if x.is_dir()} if p.is_dir() else set()

    def fetch_published(self, name: str) -> Path:
        """A local directory with what was published under `name`."""
        publish = self.publish_location()
        if not publish.startswith("s3://"):
            return Path(publish) / name
        dest = self.root / "downloaded" / name
        dest.mkdir(parents=True, exist_ok=True)
        base = publish.rstrip("/") + "/" + name + "/"
        for k in self.s3.keys(base):
            target = dest / k
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(self.s3.get(base + k))
        return dest

    def check_store(self) -> None:
        """Each service kept its artifacts in the store the manifests give it."""
        expected = {"ingest-svc": "datasets", "analysis-svc": "analyses", "report-svc": "reports"}
        for name, (proc, plan, err) in self.procs.items():
            store = plan.env.get("BANKSEG_STORE", "")
            kind = expected.get(plan.workload.binary)
            if not kind:
                continue
            if store.startswith("s3://"):
                if self.s3 is None:
                    raise RehearsalFailure(f"{name}: store {store} but no object store runs")
                tops = {k.split("/", 1)[0] for k in self.s3.keys(store.rstrip("/") + "/")}
            else:
                d = Path(store[len("file://"):] if store.startswith("file://") else store)
                tops = {x.name for x in d.iterdir()} if d.is_dir() else set()
            if kind not in tops:
                raise RehearsalFailure(f"{name}: no {kind}/ in its store {store} after a run (found {sorted(tops)})")
            log("PASS", f"{name}: artifacts under {store.rstrip('/')}/{kind}/")

    def good_run(self) -> None:
        root = self.root / "run-ok"
        before = self.published()
        code, plan, err, took = self.run_job("run-ok", root, {OLD_EXPORT: BROKEN_EXPORT, NEW_EXPORT: None})
        if code != 0:
            raise RehearsalFailure(f"the CronJob command exited {code} (expected 0):\n{tail(err)}")
        log("PASS", f"the CronJob command exited 0 in {took:.1f} s on the newest export of two")
        out = self.runner_setting(plan, "--out", "BANKSEG_OUT")
        if not out:
            raise RehearsalFailure("the CronJob sets no --out")
        self.check_outputs("--out", Path(out))
        new = sorted(self.published() - before)
        if len(new) != 1:
            raise RehearsalFailure(f"expected one new folder under --publish {self.publish_location()}, found {new}")
        self.check_outputs(f"--publish ({self.publish_location().rstrip('/')}/{new[0]}/)", self.fetch_published(new[0]))
        self.check_store()

    def failing_run(self) -> None:
        root = self.root / "run-bad"
        before = self.published()
        code, plan, err, _ = self.run_job("run-bad", root, {OLD_EXPORT: BROKEN_EXPORT})
        text = err.read_text(errors="replace")
        if code != 2:
            raise RehearsalFailure(f"on a broken export the CronJob command exited {code}, expected 2 (bad input):\n{tail(err)}")
        lines = [line for line in text.splitlines() if line.strip()]
        if not any("error" in line.lower() for line in lines):
            raise RehearsalFailure(f"on a broken export the CronJob command printed no error line:\n{tail(err)}")
        new = sorted(self.published() - before)
        if new:
            raise RehearsalFailure(f"on a broken export something was published anyway: {new}")
        err_line = next(line for line in reversed(lines) if "error" in line.lower())
        log("PASS", f"on a broken export the CronJob command exits 2 and says: {err_line[:200]}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin-dir", type=Path, required=True)
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--overlay", type=Path, default=Path(__file__).resolve().parents[1] / "overlays" / "dev")
    src.add_argument("--rendered", type=Path)
    ap.add_argument("--workdir", type=Path, help="keep logs and files here (default: a temporary directory, removed on success)")
    ap.add_argument("--timeout", type=int, default=900, help="bound on the whole rehearsal, seconds")
    ap.add_argument("--object-store-config", default="bankseg-object-store",
                    help="ConfigMap that gets AWS_ENDPOINT when the manifests use s3:// (an S3 emulator then runs)")
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)

    def on_alarm(signum, frame):
        raise RehearsalFailure(f"the rehearsal ran past --timeout {args.timeout} s")

    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(args.timeout)
    root = args.workdir or Path(tempfile.mkdtemp(prefix="bankseg-rehearsal-"))
    root.mkdir(parents=True, exist_ok=True)
    bin_dir = args.bin_dir.resolve()
    r = None
    store = None
    ok = False
    try:
        text = args.rendered.read_text() if args.rendered else render(args.overlay)
        objs = Objects.of(load(text))
        secrets = {}
        if s3_locations(objs):
            region = next((c["data"]["AWS_REGION"] for c in objs.all("ConfigMap")
                           if (c.get("data") or {}).get("AWS_REGION")), "us-east-1")
            store = ObjectStore(region)
            secrets = point_at(objs, store, args.object_store_config)
            log("INFO", f"S3 emulator on {store.endpoint} (region {region}), buckets: "
                        f"{sorted(b['Name'] for b in store.client.list_buckets()['Buckets'])}")
        r = Rehearsal(objs, bin_dir, root, args.rows, args.seed, store, secrets)
        r.start_services()
        r.wait_for_probes(deadline_secs=120)
        r.check_dashboard()
        r.good_run()
        r.failing_run()
        r.stop_services()
        r.check_json_logs()
        ok = True
    except (RehearsalFailure, ManifestError, subprocess.TimeoutExpired, OSError) as e:
        log("FAIL", str(e))
    finally:
        signal.alarm(0)
        if r is not None:
            r.kill_all()
        if store is not None:
            store.stop()
    if ok:
        log("PASS", "services, probes, CronJob run, failure exit and drain all as the manifests say")
        if not args.workdir:
            shutil.rmtree(root, ignore_errors=True)
        return 0
    log("FAIL", f"logs and files kept in {root}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
