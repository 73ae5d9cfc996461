#!/usr/bin/env python3
"""Checks that rendered bankseg manifests agree with the code and with the platform's rules.

    check_manifests.py --rendered dev.yaml --rendered prod.yaml --proto-root proto/proto \
        [--bin-dir target/release] [--dockerfile Dockerfile] [--object-store-src DIR] \
        [--min-replicas prod.yaml=2]

Without --bin-dir the variable names and flags are checked against the documented contract below;
with it, against what the binaries' `--help` prints (clap's `[env: NAME=]`), which is the truth.

Checked, per rendered overlay:
  ports     BANKSEG_LISTEN / BANKSEG_HTTP_LISTEN == the named container ports == the probes' port ==
            the Services' targetPort; with binaries also == the binaries' default ports
  probes    native gRPC probes; service names exist in the service's .proto (or "" / Flight);
            readiness uses the service's own bankseg.<svc>.v1 service
  env       every variable a container gets is read by its binary (BANKSEG_* from --help, AWS_* by
            object_store's AmazonS3Builder::from_env, RUST_LOG by tracing); required ones are set
  urls      peer URLs (BANKSEG_INGEST_URL, BANKSEG_ANALYSIS_URL, the CronJob's --ingest/--analysis/
            --report) reach a Service backed by the right binary, on the right port
  network   the NetworkPolicies allow exactly the connections those URLs need between bankseg pods
  drain     terminationGracePeriodSeconds == preStop sleep + BANKSEG_SHUTDOWN_GRACE_SECS + 1..10 s
  security  restricted pod security (non-root, read-only root, no capabilities, seccomp), resources,
            no service-account token, local paths the binaries write to are on writable volumes
  image     every container command is a binary the Dockerfile's final stage copies; USER == runAsUser
  scale     PodDisruptionBudget per service; replicas and HPA minimum >= --min-replicas
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from manifests import (  # noqa: E402
    BIN_DIR_IN_IMAGE,
    CLI_BINARY,
    SERVICE_BINARIES,
    Help,
    ManifestError,
    Objects,
    Workload,
    egress_port_allowed,
    load,
    matches_labels,
    mount_for,
    proto_services,
    run_help,
    traffic_allowed,
    volume,
)

FLIGHT_SERVICE = "arrow.flight.protocol.FlightService"
FLIGHT_SERVERS = {"ingest-svc", "analysis-svc"}

# The documented contract (service-library convention, CLI plan), used without --bin-dir.
RUNTIME_ENV = {
    "BANKSEG_STORE": "./bankseg-data",
    "BANKSEG_MAX_MESSAGE_BYTES": "67108864",
    "BANKSEG_REQUEST_TIMEOUT_SECS": "900",
    "BANKSEG_SHUTDOWN_GRACE_SECS": "25",
    "BANKSEG_LOG_FORMAT": "text",
}
CONTRACT = {
    "ingest-svc": Help(
        flags={"--listen", "--store", "--allowed-roots", "--mapping"},
        env={
            **RUNTIME_ENV,
            "BANKSEG_LISTEN": "0.0.0.0:50051",
            "BANKSEG_ALLOWED_ROOTS": None,
            "BANKSEG_MAPPING": None,
            "BANKSEG_INGEST_WORK_DIR": None,
            "BANKSEG_INGEST_MEMORY_LIMIT_MB": "2048",
            "BANKSEG_INGEST_MAX_FIELD_BYTES": "1048576",
        },
    ),
    "analysis-svc": Help(
        flags={"--listen", "--store", "--ingest-url", "--analysis-config"},
        env={
            **RUNTIME_ENV,
            "BANKSEG_LISTEN": "0.0.0.0:50052",
            "BANKSEG_INGEST_URL": "http://127.0.0.1:50051",
            "BANKSEG_ANALYSIS_CONFIG": None,
        },
    ),
    "report-svc": Help(
        flags={"--listen", "--store", "--analysis-url", "--http-listen"},
        env={
            **RUNTIME_ENV,
            "BANKSEG_LISTEN": "0.0.0.0:50053",
            "BANKSEG_ANALYSIS_URL": "http://127.0.0.1:50052",
            "BANKSEG_HTTP_LISTEN": "0.0.0.0:8080",
        },
    ),
    "bankseg run": Help(
        flags={"--input", "--input-latest", "--publish", "--out", "--lang", "--ingest", "--analysis", "--report", "--log-format"},
        env={
            "BANKSEG_INPUT": None,
            "BANKSEG_INPUT_LATEST": None,
            "BANKSEG_PUBLISH": None,
            "BANKSEG_OUT": None,
            "BANKSEG_LANG": "ru",
            "BANKSEG_INGEST_URL": None,
            "BANKSEG_ANALYSIS_URL": None,
            "BANKSEG_REPORT_URL": None,
            "BANKSEG_LOG_FORMAT": "text",
            "BANKSEG_CONFIG": None,
            "BANKSEG_MAPPING": None,
            "BANKSEG_DELIMITER": None,
            "BANKSEG_STORE": None,
            "BANKSEG_TIMEOUT_SECS": "900",
        },
    ),
    "bankseg generate": Help(flags={"--rows", "--seed", "--out"}, env={}),
}

# Variables object_store 0.13's AmazonS3Builder::from_env understands (AmazonS3ConfigKey, upper-cased).
OBJECT_STORE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_BUCKET",
    "AWS_ENDPOINT", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN", "AWS_TOKEN", "AWS_VIRTUAL_HOSTED_STYLE_REQUEST",
    "AWS_METADATA_ENDPOINT", "AWS_UNSIGNED_PAYLOAD", "AWS_CHECKSUM_ALGORITHM",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME", "AWS_ENDPOINT_URL_STS", "AWS_SKIP_SIGNATURE", "AWS_ALLOW_HTTP",
    "AWS_SERVER_SIDE_ENCRYPTION", "AWS_SSE_KMS_KEY_ID", "AWS_SSE_BUCKET_KEY_ENABLED",
}
GENERIC_ENV = {"RUST_LOG", "RUST_BACKTRACE"}

REQUIRED_SERVICE_ENV = {
    "ingest-svc": {"BANKSEG_LISTEN", "BANKSEG_STORE", "BANKSEG_LOG_FORMAT", "BANKSEG_SHUTDOWN_GRACE_SECS"},
    "analysis-svc": {"BANKSEG_LISTEN", "BANKSEG_STORE", "BANKSEG_LOG_FORMAT", "BANKSEG_SHUTDOWN_GRACE_SECS", "BANKSEG_INGEST_URL"},
    "report-svc": {
        "BANKSEG_LISTEN", "BANKSEG_STORE", "BANKSEG_LOG_FORMAT", "BANKSEG_SHUTDOWN_GRACE_SECS",
        "BANKSEG_ANALYSIS_URL", "BANKSEG_HTTP_LISTEN",
    },
}
# Which peer each service's URL variable must reach.
PEER_URLS = {
    ("analysis-svc", "env BANKSEG_INGEST_URL"): "ingest-svc",
    ("report-svc", "env BANKSEG_ANALYSIS_URL"): "analysis-svc",
    (CLI_BINARY, "arg --ingest"): "ingest-svc",
    (CLI_BINARY, "arg --analysis"): "analysis-svc",
    (CLI_BINARY, "arg --report"): "report-svc",
    (CLI_BINARY, "env BANKSEG_INGEST_URL"): "ingest-svc",
    (CLI_BINARY, "env BANKSEG_ANALYSIS_URL"): "analysis-svc",
    (CLI_BINARY, "env BANKSEG_REPORT_URL"): "report-svc",
}
RUN_OUTPUTS = ("report.html", "report.md", "analysis.json", "quality.json", "clean.parquet")


class Checker:
    """Collects failures; `ok()` counts passed assertions so the summary says what was checked."""

    def __init__(self, where: str):
        self.where = where
        self.failures: list[str] = []
        self.passed = 0

    def ok(self, cond: bool, msg: str) -> bool:
        if cond:
            self.passed += 1
        else:
            self.failures.append(msg)
        return cond


def port_of(addr: str | None) -> int | None:
    if not addr:
        return None
    m = re.search(r":(\d+)/?$", addr)
    return int(m.group(1)) if m else None


def is_local_path(value: str) -> bool:
    return value.startswith("/") or value.startswith("file://")


def local_path(value: str) -> str:
    return value[len("file://"):] if value.startswith("file://") else value


def memory_bytes(quantity: str) -> int:
    """A Kubernetes memory quantity (`512Mi`, `2Gi`, `1G`, `1000`) in bytes."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([KMGTE]i?|k)?", str(quantity))
    if not m:
        return 0
    units = {None: 1, "k": 10**3, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "E": 10**18,
             "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Ei": 2**60}
    return int(float(m.group(1)) * units[m.group(2)])


def load_dockerfile(path: Path) -> tuple[set[str], int | None]:
    """Paths the final stage copies in, and the numeric USER of the final stage."""
    lines = re.sub(r"\\\n", " ", path.read_text()).splitlines()
    stages: list[list[str]] = []
    for line in lines:
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        if re.match(r"(?i)^FROM\s", s):
            stages.append([])
        if stages:
            stages[-1].append(s)
    final = stages[-1] if stages else []
    copied: set[str] = set()
    user = None
    for s in final:
        if re.match(r"(?i)^COPY\s", s):
            parts = [p for p in s.split()[1:] if not p.startswith("--")]
            if len(parts) >= 2:
                dest = parts[-1]
                for src in parts[:-1]:
                    base = src.rstrip("/").rsplit("/", 1)[-1]
                    copied.add(dest.rstrip("/") + "/" + base if dest.endswith("/") else dest)
        m = re.match(r"(?i)^USER\s+(\d+)", s)
        if m:
            user = int(m.group(1))
    return copied, user


def object_store_env(src_dir: Path) -> set[str]:
    """AWS_* names from object_store's aws/builder.rs (the quoted aws_* config keys, upper-cased)."""
    text = (src_dir / "src" / "aws" / "builder.rs").read_text()
    return {k.upper() for k in re.findall(r'"(aws_[a-z0-9_]+)"', text)}


class Context:
    def __init__(self, args: argparse.Namespace):
        self.proto_root: Path = args.proto_root
        self.bin_dir: Path | None = args.bin_dir
        self.dockerfile: Path | None = args.dockerfile
        self.aws_env = OBJECT_STORE_AWS_ENV
        if args.object_store_src:
            self.aws_env = object_store_env(args.object_store_src)
        self._help: dict[str, Help] = {}

    def help(self, key: str) -> Help:
        """`key` is a binary name, or "bankseg run" / "bankseg generate"."""
        if self.bin_dir is None:
            return CONTRACT[key]
        if key not in self._help:
            binary, *sub = key.split()
            self._help[key] = run_help(self.bin_dir / binary, *sub)
        return self._help[key]


def check_workload_common(c: Checker, objs: Objects, w: Workload, ctx: Context, runtime_uid: int | None) -> None:
    where = w.label()
    pod = w.pod_spec
    ctr = w.container
    psc = pod.get("securityContext") or {}
    csc = ctr.get("securityContext") or {}
    c.ok(psc.get("runAsNonRoot") is True, f"{where}: pod securityContext.runAsNonRoot must be true")
    c.ok((psc.get("seccompProfile") or {}).get("type") == "RuntimeDefault", f"{where}: seccompProfile must be RuntimeDefault")
    if runtime_uid is not None:
        c.ok(psc.get("runAsUser") == runtime_uid, f"{where}: runAsUser {psc.get('runAsUser')} != the image's USER {runtime_uid}")
    c.ok(csc.get("allowPrivilegeEscalation") is False, f"{where}: allowPrivilegeEscalation must be false")
    c.ok(csc.get("readOnlyRootFilesystem") is True, f"{where}: readOnlyRootFilesystem must be true")
    c.ok(csc.get("privileged") is not True, f"{where}: must not be privileged")
    caps = csc.get("capabilities") or {}
    c.ok("ALL" in (caps.get("drop") or []), f"{where}: capabilities must drop ALL")
    c.ok(not caps.get("add"), f"{where}: capabilities must not add any")
    res = ctr.get("resources") or {}
    for kind in ("requests", "limits"):
        for r in ("cpu", "memory"):
            c.ok(r in (res.get(kind) or {}), f"{where}: resources.{kind}.{r} is missing")
    c.ok(pod.get("automountServiceAccountToken") is False, f"{where}: automountServiceAccountToken must be false")
    sa = pod.get("serviceAccountName")
    c.ok(sa is not None and objs.get("ServiceAccount", sa) is not None, f"{where}: serviceAccountName {sa!r} is not a ServiceAccount in the manifests")
    image = ctr.get("image", "")
    c.ok(bool(image) and not image.endswith(":latest") and ":" in image.rsplit("/", 1)[-1], f"{where}: image {image!r} must carry an explicit tag other than latest")
    for m in ctr.get("volumeMounts") or []:
        c.ok(volume(w, m["name"]) is not None, f"{where}: volumeMount {m['name']} has no volume")
    command = ctr.get("command") or []
    c.ok(bool(command) and command[0].startswith(BIN_DIR_IN_IMAGE + "/"), f"{where}: command must name a binary in {BIN_DIR_IN_IMAGE}")
    if ctx.dockerfile is not None and command:
        copied, _ = load_dockerfile(ctx.dockerfile)
        c.ok(command[0] in copied, f"{where}: command {command[0]} is not copied into the image by {ctx.dockerfile}")


def check_env_names(c: Checker, objs: Objects, w: Workload, help_: Help, ctx: Context, who: str) -> dict[str, str | None]:
    env = objs.env_map(w)
    for name in env:
        if name.startswith("BANKSEG_"):
            c.ok(name in help_.env, f"{w.label()}: env {name} is not read by {who} (not in its --help)")
        elif name.startswith("AWS_"):
            c.ok(name in ctx.aws_env, f"{w.label()}: env {name} is not an object_store AWS setting")
        else:
            c.ok(name in GENERIC_ENV, f"{w.label()}: env {name} is read by nothing in {who}")
    return env


def writable(w: Workload, path: str) -> bool:
    m = mount_for(w, path)
    return m is not None and not m.get("readOnly", False)


def check_service(c: Checker, objs: Objects, binary: str, ctx: Context, runtime_uid: int | None) -> Workload | None:
    w = objs.deployment_for(binary)
    if not c.ok(w is not None, f"no Deployment runs {binary}"):
        return None
    where = w.label()
    check_workload_common(c, objs, w, ctx, runtime_uid)
    help_ = ctx.help(binary)
    env = check_env_names(c, objs, w, help_, ctx, binary)
    for name in sorted(REQUIRED_SERVICE_ENV[binary]):
        c.ok(env.get(name) not in (None, ""), f"{where}: required env {name} is not set")
    c.ok(env.get("BANKSEG_LOG_FORMAT") == "json", f"{where}: BANKSEG_LOG_FORMAT must be json in a cluster")

    grpc_port = w.port("grpc")
    listen = env.get("BANKSEG_LISTEN")
    c.ok(grpc_port is not None, f"{where}: no container port named grpc")
    c.ok(port_of(listen) == grpc_port, f"{where}: BANKSEG_LISTEN {listen} does not listen on the grpc container port {grpc_port}")
    default_listen = help_.env.get("BANKSEG_LISTEN")
    c.ok(port_of(default_listen) == grpc_port, f"{where}: {binary}'s default listen address {default_listen} is not on port {grpc_port}")
    if binary == "report-svc":
        http_port = w.port("http")
        c.ok(http_port is not None and port_of(env.get("BANKSEG_HTTP_LISTEN")) == http_port,
             f"{where}: BANKSEG_HTTP_LISTEN {env.get('BANKSEG_HTTP_LISTEN')} does not match the http container port {http_port}")
        c.ok(port_of(help_.env.get("BANKSEG_HTTP_LISTEN")) == http_port,
             f"{where}: report-svc's default dashboard address {help_.env.get('BANKSEG_HTTP_LISTEN')} is not on port {http_port}")

    # probes
    svc_short = binary.removesuffix("-svc")
    own = proto_services(ctx.proto_root, svc_short)
    c.ok(bool(own), f"{binary}: no service found in {ctx.proto_root}/bankseg/{svc_short}/v1/*.proto")
    allowed = {""} | set(own) | ({FLIGHT_SERVICE} if binary in FLIGHT_SERVERS else set())
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        p = w.container.get(probe)
        if not c.ok(p is not None and "grpc" in p, f"{where}: {probe} must be a native gRPC probe"):
            continue
        c.ok(int(p["grpc"]["port"]) == grpc_port, f"{where}: {probe} port {p['grpc']['port']} != grpc port {grpc_port}")
        name = p["grpc"].get("service", "")
        c.ok(name in allowed, f"{where}: {probe} asks for health of {name!r}, which {binary} does not serve (known: {sorted(allowed)})")
        if probe == "readinessProbe":
            c.ok(name in own, f"{where}: readinessProbe should ask for {binary}'s own service {own}, not {name!r}")

    # drain
    grace_env = env.get("BANKSEG_SHUTDOWN_GRACE_SECS") or help_.env.get("BANKSEG_SHUTDOWN_GRACE_SECS") or "25"
    pre = ((w.container.get("lifecycle") or {}).get("preStop") or {}).get("sleep", {}).get("seconds", 0)
    tgps = w.pod_spec.get("terminationGracePeriodSeconds", 30)
    need = int(pre) + int(grace_env)
    c.ok(need + 1 <= tgps <= need + 10,
         f"{where}: terminationGracePeriodSeconds {tgps} does not match preStop sleep {pre} s + drain {grace_env} s (+1..10 s)")

    # store on a writable volume when local
    store = env.get("BANKSEG_STORE") or ""
    if is_local_path(store):
        c.ok(writable(w, local_path(store)), f"{where}: local store {store} is not on a writable volume (root filesystem is read-only)")
    else:
        c.ok(store.startswith("s3://"), f"{where}: BANKSEG_STORE {store!r} is neither a local directory nor s3://")
        for cred in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            e = next((e for e in objs.env(w) if e.name == cred), None)
            c.ok(e is not None and e.source.startswith("Secret/"), f"{where}: S3 store needs {cred} from a Secret")
    c.ok(writable(w, "/tmp"), f"{where}: /tmp must be a writable volume")
    work = env.get("BANKSEG_INGEST_WORK_DIR")
    if work:
        c.ok(writable(w, work), f"{where}: BANKSEG_INGEST_WORK_DIR {work} is not on a writable volume")
    budget = env.get("BANKSEG_INGEST_MEMORY_LIMIT_MB") or help_.env.get("BANKSEG_INGEST_MEMORY_LIMIT_MB")
    if budget:
        limit = memory_bytes(((w.container.get("resources") or {}).get("limits") or {}).get("memory", "0"))
        c.ok(int(budget) * 2**20 <= 0.75 * limit,
             f"{where}: BANKSEG_INGEST_MEMORY_LIMIT_MB {budget} leaves less than a quarter of the memory limit ({limit // 2**20} MiB) as headroom")

    # Service
    svcs = objs.services_selecting(w.pod_labels)
    c.ok(len(svcs) == 1 and svcs[0]["metadata"]["name"] == binary, f"{where}: expected one Service named {binary} selecting its pods, found {[s['metadata']['name'] for s in svcs]}")
    for s in svcs:
        for sp in s["spec"].get("ports") or []:
            target = sp.get("targetPort", sp["port"])
            cport = w.port(target) if isinstance(target, str) else int(target)
            c.ok(cport is not None and any(int(p["containerPort"]) == cport for p in w.container.get("ports") or []),
                 f"Service/{s['metadata']['name']}: targetPort {target} is not a port of {where}")
            c.ok(cport == int(sp["port"]), f"Service/{s['metadata']['name']}: port {sp['port']} differs from container port {cport} (URLs use the container port)")
    pdbs = [p for p in objs.all("PodDisruptionBudget") if matches_labels(p["spec"].get("selector"), w.pod_labels)]
    c.ok(len(pdbs) == 1, f"{where}: expected one PodDisruptionBudget, found {len(pdbs)}")
    return w


def check_runner(c: Checker, objs: Objects, ctx: Context, runtime_uid: int | None) -> Workload | None:
    w = objs.cronjob()
    if not c.ok(w is not None, "no CronJob runs bankseg"):
        return None
    where = w.label()
    check_workload_common(c, objs, w, ctx, runtime_uid)
    c.ok(w.binary == CLI_BINARY, f"{where}: command must be {BIN_DIR_IN_IMAGE}/{CLI_BINARY}")
    spec = w.obj["spec"]
    job = spec["jobTemplate"]["spec"]
    c.ok(spec.get("concurrencyPolicy") == "Forbid", f"{where}: concurrencyPolicy must be Forbid")
    c.ok(0 < spec.get("successfulJobsHistoryLimit", 3) <= 10 and 0 < spec.get("failedJobsHistoryLimit", 1) <= 10,
         f"{where}: job history must be bounded (1..10)")
    c.ok(isinstance(job.get("backoffLimit"), int) and 0 <= job["backoffLimit"] <= 6, f"{where}: backoffLimit must be set (0..6)")
    c.ok(isinstance(job.get("activeDeadlineSeconds"), int), f"{where}: activeDeadlineSeconds must bound a run")
    c.ok(w.pod_spec.get("restartPolicy") == "Never", f"{where}: restartPolicy must be Never (failures count as Job failures)")
    c.ok(w.container.get("terminationMessagePolicy") == "FallbackToLogsOnError", f"{where}: terminationMessagePolicy should be FallbackToLogsOnError")

    args = w.container.get("args") or []
    c.ok(bool(args) and args[0] == "run", f"{where}: args must start with the run subcommand")
    run_help = ctx.help("bankseg run")
    for a in args[1:]:
        if a.startswith("--"):
            flag = a.split("=", 1)[0]
            c.ok(flag in run_help.flags, f"{where}: bankseg run has no flag {flag}")
    env = check_env_names(c, objs, w, run_help, ctx, "bankseg run")
    opts = {a.split("=", 1)[0]: a.split("=", 1)[1] for a in args if a.startswith("--") and "=" in a}

    def setting(flag: str, var: str) -> str | None:
        return opts.get(flag) or env.get(var)

    latest = setting("--input-latest", "BANKSEG_INPUT_LATEST")
    c.ok(bool(latest), f"{where}: --input-latest / BANKSEG_INPUT_LATEST must say where exports arrive")
    publish = setting("--publish", "BANKSEG_PUBLISH")
    c.ok(bool(publish), f"{where}: --publish / BANKSEG_PUBLISH must say where reports go")
    out = setting("--out", "BANKSEG_OUT")
    c.ok(bool(out) and writable(w, out), f"{where}: --out {out} must be on a writable volume")
    for what, value in (("--input-latest", latest), ("--publish", publish)):
        if not value:
            continue
        if is_local_path(value):
            c.ok(mount_for(w, local_path(value)) is not None, f"{where}: {what} {value} is not on a mounted volume")
            if what == "--publish":
                c.ok(writable(w, local_path(value)), f"{where}: {what} {value} is not writable")
        else:
            c.ok(value.startswith("s3://"), f"{where}: {what} {value!r} must be a local directory or s3://")
            for cred in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
                e = next((e for e in objs.env(w) if e.name == cred), None)
                c.ok(e is not None and e.source.startswith("Secret/"), f"{where}: {what} on S3 needs {cred} from a Secret")
    # The run's exports and published reports must not overlap the services' artifact store, where
    # report-svc's own reports/<id>/ and ingest-svc's uploads/ live.
    ingest = objs.deployment_for("ingest-svc")
    store = (objs.env_map(ingest).get("BANKSEG_STORE") or "") if ingest else ""
    if store.startswith("s3://"):
        base = store.rstrip("/") + "/"
        for what, value in (("--input-latest", latest), ("--publish", publish)):
            if value and value.startswith("s3://"):
                v = value.rstrip("/") + "/"
                c.ok(not (v.startswith(base) or base.startswith(v)),
                     f"{where}: {what} {value} overlaps the services' store {store}")
    lang = setting("--lang", "BANKSEG_LANG")
    c.ok(lang in ("ru", "en"), f"{where}: --lang / BANKSEG_LANG must be ru or en, not {lang!r}")
    for flag in ("--ingest", "--analysis", "--report"):
        c.ok(flag in opts, f"{where}: {flag}=URL must name the in-cluster service")
    gen = ctx.help("bankseg generate")
    for flag in ("--rows", "--seed", "--out"):
        c.ok(flag in gen.flags, f"bankseg generate has no {flag} (the rehearsal uses it)")
    return w


def check_urls_and_network(c: Checker, objs: Objects, workloads: list[Workload]) -> None:
    needed: set[tuple[str, str, int]] = set()
    by_name = {w.name: w for w in workloads}
    for w in workloads:
        for where, url in objs.urls(w):
            key = (w.binary, where)
            target = objs.resolve_url(url)
            if not c.ok(target is not None, f"{w.label()}: {where}={url} reaches no Service port backed by a container port"):
                continue
            dst, port = target
            if key in PEER_URLS:
                c.ok(dst.binary == PEER_URLS[key], f"{w.label()}: {where}={url} reaches {dst.binary}, expected {PEER_URLS[key]}")
            c.ok(port == dst.port("grpc"), f"{w.label()}: {where}={url} reaches port {port} of {dst.binary}, not its grpc port")
            needed.add((w.name, dst.name, port))
            c.ok(traffic_allowed(objs, w, dst, port), f"NetworkPolicy blocks {w.label()} -> {dst.label()}:{port}, which {where} needs")
    # Name resolution, and the object store where a workload uses one.
    for w in workloads:
        c.ok(egress_port_allowed(objs, w, 53, "UDP") and egress_port_allowed(objs, w, 53, "TCP"),
             f"NetworkPolicy blocks DNS (port 53) for {w.label()}, so it cannot resolve Service names")
        env = objs.env_map(w)
        if any((v or "").startswith("s3://") for v in env.values()):
            endpoint = env.get("AWS_ENDPOINT") or env.get("AWS_ENDPOINT_URL") or "https://s3.amazonaws.com"
            m = re.match(r"(https?)://[^/:]+(?::(\d+))?", endpoint)
            port = int(m.group(2)) if m and m.group(2) else (80 if m and m.group(1) == "http" else 443)
            c.ok(egress_port_allowed(objs, w, port), f"NetworkPolicy blocks {w.label()} from the object store {endpoint} (port {port})")
    # Only what is needed: every other bankseg-to-bankseg connection is denied.
    for src in workloads:
        for dst in workloads:
            if dst.kind != "Deployment" or src is dst:
                continue
            for p in dst.container.get("ports") or []:
                port = int(p["containerPort"])
                if (src.name, dst.name, port) in needed:
                    continue
                c.ok(not traffic_allowed(objs, src, dst, port),
                     f"NetworkPolicy allows {src.label()} -> {dst.label()}:{port}, which nothing in the pipeline needs")
    del by_name


def check_local_exports(c: Checker, objs: Objects, runner: Workload, ingest: Workload) -> None:
    """`bankseg run --input-latest DIR` hands ingest-svc the path of the newest file under a local DIR,
    so ingest-svc must see DIR at the same path, on the same volume, under its allowed roots."""
    args = {a.split("=", 1)[0]: a.split("=", 1)[1] for a in runner.container.get("args") or [] if "=" in a}
    latest = args.get("--input-latest") or objs.env_map(runner).get("BANKSEG_INPUT_LATEST") or ""
    if not is_local_path(latest):
        return
    path = local_path(latest).rstrip("/") + "/export.csv"
    where = f"{runner.label()}: --input-latest {latest}"

    def claim(w: Workload) -> str | None:
        m = mount_for(w, path)
        v = volume(w, m["name"]) if m else None
        if v is None or "persistentVolumeClaim" not in v:
            return None
        return f"{v['persistentVolumeClaim']['claimName']}:{m['mountPath']}:{m.get('subPath', '')}"

    mine = claim(runner)
    c.ok(mine is not None, f"{where} is not on a PersistentVolumeClaim, so ingest-svc cannot read it")
    c.ok(mine is not None and claim(ingest) == mine, f"{where}: ingest-svc does not mount the same volume at the same path ({claim(ingest)} vs {mine})")
    roots = [r.strip().rstrip("/") for r in (objs.env_map(ingest).get("BANKSEG_ALLOWED_ROOTS") or "").split(",") if r.strip()]
    c.ok(any(path.startswith(r + "/") for r in roots), f"{where} is outside ingest-svc's BANKSEG_ALLOWED_ROOTS {roots}")


def check_scale(c: Checker, objs: Objects, min_replicas: int) -> None:
    hpas = {h["spec"]["scaleTargetRef"]["name"]: h for h in objs.all("HorizontalPodAutoscaler")}
    for h in objs.all("HorizontalPodAutoscaler"):
        ref = h["spec"]["scaleTargetRef"]
        target = objs.get(ref["kind"], ref["name"])
        if c.ok(target is not None, f"HorizontalPodAutoscaler/{h['metadata']['name']} targets missing {ref['kind']}/{ref['name']}"):
            c.ok(h["spec"].get("minReplicas", 1) >= min_replicas, f"HorizontalPodAutoscaler/{h['metadata']['name']}: minReplicas below {min_replicas}")
            for m in h["spec"].get("metrics") or []:
                if m.get("type") == "Resource":
                    res = m["resource"]["name"]
                    containers = target["spec"]["template"]["spec"]["containers"]
                    c.ok(all(res in ((x.get("resources") or {}).get("requests") or {}) for x in containers),
                         f"HorizontalPodAutoscaler/{h['metadata']['name']}: scales on {res} but the pods request none")

    for d in objs.all("Deployment"):
        name = d["metadata"]["name"]
        if name in hpas:
            c.ok("replicas" not in d["spec"], f"Deployment/{name}: replicas is set, but HorizontalPodAutoscaler/{hpas[name]['metadata']['name']} owns it (each apply would reset it)")
        else:
            c.ok(d["spec"].get("replicas", 1) >= min_replicas, f"Deployment/{name}: replicas {d['spec'].get('replicas', 1)} below {min_replicas}")
        if min_replicas >= 2:
            aff = ((d["spec"]["template"]["spec"].get("affinity") or {}).get("podAntiAffinity"))
            c.ok(bool(aff), f"Deployment/{name}: needs podAntiAffinity with {min_replicas}+ replicas")


def check_objects(objs: Objects, ctx: Context, where: str, min_replicas: int = 1) -> Checker:
    c = Checker(where)
    runtime_uid = None
    if ctx.dockerfile is not None:
        copied, runtime_uid = load_dockerfile(ctx.dockerfile)
        c.ok(runtime_uid is not None and runtime_uid != 0, f"{ctx.dockerfile}: final stage must set a numeric non-root USER")
        for b in (*SERVICE_BINARIES, CLI_BINARY):
            c.ok(f"{BIN_DIR_IN_IMAGE}/{b}" in copied, f"{ctx.dockerfile}: final stage does not copy {b} to {BIN_DIR_IN_IMAGE}")
    try:
        workloads = []
        for b in SERVICE_BINARIES:
            w = check_service(c, objs, b, ctx, runtime_uid)
            if w:
                workloads.append(w)
        w = check_runner(c, objs, ctx, runtime_uid)
        if w:
            workloads.append(w)
        c.ok(len(objs.workloads()) == len(workloads), f"unexpected workloads: {[x.label() for x in objs.workloads()]}")
        ingest = objs.deployment_for("ingest-svc")
        if w and ingest:
            check_local_exports(c, objs, w, ingest)
        check_urls_and_network(c, objs, workloads)
        check_scale(c, objs, min_replicas)
    except ManifestError as e:
        c.ok(False, str(e))
    return c


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rendered", action="append", required=True, type=Path, help="kubectl kustomize output (repeatable)")
    ap.add_argument("--proto-root", type=Path, required=True, help="directory holding bankseg/<svc>/v1/*.proto")
    ap.add_argument("--bin-dir", type=Path, help="directory with ingest-svc, analysis-svc, report-svc, bankseg")
    ap.add_argument("--dockerfile", type=Path)
    ap.add_argument("--object-store-src", type=Path, help="object_store crate sources, to read its AWS_* names from")
    ap.add_argument("--min-replicas", action="append", default=[], metavar="FILE=N")
    args = ap.parse_args(argv)
    mins = {}
    for spec in args.min_replicas:
        f, _, n = spec.rpartition("=")
        mins[Path(f)] = int(n)
    ctx = Context(args)
    mode = f"--help of {args.bin_dir}" if args.bin_dir else "the documented contract (no --bin-dir)"
    failed = 0
    for path in args.rendered:
        objs = Objects.of(load(path.read_text()))
        c = check_objects(objs, ctx, str(path), mins.get(path, 1))
        for f in c.failures:
            print(f"FAIL {path}: {f}")
        status = "PASS" if not c.failures else "FAIL"
        print(f"{status} manifests-vs-code {path}: {c.passed} checks passed, {len(c.failures)} failed (env names against {mode})")
        failed += bool(c.failures)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
