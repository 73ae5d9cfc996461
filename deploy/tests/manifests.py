"""Reading rendered bankseg manifests: the objects, the environment each container gets, which
Service a URL reaches, and which traffic the NetworkPolicies let through.

Shared by check_manifests.py (static agreement with the code) and rehearse.py (the services started
as processes with the manifests' environment).
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SERVICE_BINARIES = ("ingest-svc", "analysis-svc", "report-svc")
CLI_BINARY = "bankseg"
BIN_DIR_IN_IMAGE = "/usr/local/bin"


class ManifestError(Exception):
    """A manifest that cannot be read the way the services need it."""


def render(overlay: str | Path) -> str:
    """`kubectl kustomize <overlay>` output."""
    proc = subprocess.run(
        ["kubectl", "kustomize", str(overlay)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if proc.returncode != 0:
        raise ManifestError(f"kubectl kustomize {overlay} failed: {proc.stderr.strip()}")
    return proc.stdout


def load(text: str) -> list[dict[str, Any]]:
    """The non-empty documents of a multi-document YAML stream."""
    return [d for d in yaml.safe_load_all(text) if d]


@dataclass
class Workload:
    """A Deployment, or the CronJob's job pod, with its single container."""

    kind: str
    name: str
    obj: dict[str, Any]
    pod_spec: dict[str, Any]
    pod_labels: dict[str, str]
    container: dict[str, Any]

    @property
    def binary(self) -> str:
        """Base name of the container's command (the image holds one binary per service)."""
        command = self.container.get("command") or []
        if not command:
            return ""
        return command[0].rsplit("/", 1)[-1]

    def port(self, name: str) -> int | None:
        """The container port with this name."""
        for p in self.container.get("ports") or []:
            if p.get("name") == name:
                return int(p["containerPort"])
        return None

    def label(self) -> str:
        return f"{self.kind}/{self.name}"


@dataclass
class EnvVar:
    """One environment variable of a container, resolved as far as the manifests allow."""

    name: str
    value: str | None  # None: from a Secret (or a field the rehearsal fills in)
    source: str


@dataclass
class Objects:
    """Rendered objects of one overlay, indexed."""

    docs: list[dict[str, Any]]
    namespace: str = ""
    by_kind: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @classmethod
    def of(cls, docs: list[dict[str, Any]]) -> Objects:
        objs = cls(docs=docs)
        for d in docs:
            objs.by_kind.setdefault(d.get("kind", ""), []).append(d)
            ns = (d.get("metadata") or {}).get("namespace")
            if ns and not objs.namespace:
                objs.namespace = ns
        return objs

    def all(self, kind: str) -> list[dict[str, Any]]:
        return self.by_kind.get(kind, [])

    def get(self, kind: str, name: str) -> dict[str, Any] | None:
        for d in self.all(kind):
            if d["metadata"]["name"] == name:
                return d
        return None

    def workloads(self) -> list[Workload]:
        """Every Deployment and CronJob, each with its first container."""
        out = []
        for d in self.all("Deployment"):
            tmpl = d["spec"]["template"]
            out.append(self._workload("Deployment", d, tmpl))
        for d in self.all("CronJob"):
            tmpl = d["spec"]["jobTemplate"]["spec"]["template"]
            out.append(self._workload("CronJob", d, tmpl))
        return out

    @staticmethod
    def _workload(kind: str, obj: dict[str, Any], tmpl: dict[str, Any]) -> Workload:
        spec = tmpl.get("spec") or {}
        containers = spec.get("containers") or []
        if len(containers) != 1:
            raise ManifestError(
                f"{kind}/{obj['metadata']['name']}: expected exactly one container, found {len(containers)}"
            )
        return Workload(
            kind=kind,
            name=obj["metadata"]["name"],
            obj=obj,
            pod_spec=spec,
            pod_labels=dict((tmpl.get("metadata") or {}).get("labels") or {}),
            container=containers[0],
        )

    def deployment_for(self, binary: str) -> Workload | None:
        for w in self.workloads():
            if w.kind == "Deployment" and w.binary == binary:
                return w
        return None

    def cronjob(self) -> Workload | None:
        for w in self.workloads():
            if w.kind == "CronJob":
                return w
        return None

    def env(self, w: Workload) -> list[EnvVar]:
        """The container's environment in the order Kubernetes builds it (envFrom, then env)."""
        out: dict[str, EnvVar] = {}
        c = w.container
        for src in c.get("envFrom") or []:
            prefix = src.get("prefix", "")
            if "configMapRef" in src:
                ref = src["configMapRef"]
                cm = self.get("ConfigMap", ref["name"])
                if cm is None:
                    if ref.get("optional"):
                        continue
                    raise ManifestError(f"{w.label()}: envFrom ConfigMap {ref['name']} is not in the manifests")
                for k, v in (cm.get("data") or {}).items():
                    out[prefix + k] = EnvVar(prefix + k, str(v), f"ConfigMap/{ref['name']}")
            elif "secretRef" in src:
                raise ManifestError(
                    f"{w.label()}: envFrom secretRef hides which variables the container gets; "
                    "name each one with secretKeyRef"
                )
        for e in c.get("env") or []:
            name = e["name"]
            if "value" in e:
                out[name] = EnvVar(name, str(e["value"]), "literal")
            elif "valueFrom" in e:
                vf = e["valueFrom"]
                if "configMapKeyRef" in vf:
                    ref = vf["configMapKeyRef"]
                    cm = self.get("ConfigMap", ref["name"])
                    data = (cm or {}).get("data") or {}
                    if ref["key"] not in data:
                        if ref.get("optional"):
                            continue
                        raise ManifestError(
                            f"{w.label()}: env {name} refers to key {ref['key']} of ConfigMap "
                            f"{ref['name']}, which the manifests do not define"
                        )
                    out[name] = EnvVar(name, str(data[ref["key"]]), f"ConfigMap/{ref['name']}")
                elif "secretKeyRef" in vf:
                    out[name] = EnvVar(name, None, f"Secret/{vf['secretKeyRef']['name']}")
                else:
                    out[name] = EnvVar(name, None, "fieldRef")
            else:
                out[name] = EnvVar(name, "", "literal")
        return list(out.values())

    def env_map(self, w: Workload) -> dict[str, str | None]:
        return {e.name: e.value for e in self.env(w)}

    def services_selecting(self, labels: dict[str, str]) -> list[dict[str, Any]]:
        return [
            s
            for s in self.all("Service")
            if (s["spec"].get("selector") or {})
            and matches_labels({"matchLabels": s["spec"]["selector"]}, labels)
        ]

    def resolve_url(self, url: str) -> tuple[Workload, int] | None:
        """The Deployment and container port behind `http://<service>[.<ns>...]:<port>`."""
        m = re.fullmatch(r"https?://([a-z0-9-]+)(?:\.([a-z0-9-]+)(?:\.svc(?:\.cluster\.local)?)?)?:(\d+)/?", url)
        if not m:
            return None
        svc_name, ns, port = m.group(1), m.group(2), int(m.group(3))
        if ns and self.namespace and ns != self.namespace:
            return None
        svc = self.get("Service", svc_name)
        if svc is None:
            return None
        for sp in svc["spec"].get("ports") or []:
            if int(sp["port"]) != port:
                continue
            target = sp.get("targetPort", sp["port"])
            for w in self.workloads():
                if w.kind != "Deployment":
                    continue
                if not matches_labels({"matchLabels": svc["spec"].get("selector") or {}}, w.pod_labels):
                    continue
                if isinstance(target, str):
                    cport = w.port(target)
                else:
                    cport = int(target) if any(
                        int(p["containerPort"]) == int(target) for p in w.container.get("ports") or []
                    ) else None
                if cport is not None:
                    return w, cport
        return None

    def urls(self, w: Workload) -> list[tuple[str, str]]:
        """(where, url) for every http(s) URL in the container's env and args."""
        out = []
        for e in self.env(w):
            if e.value and re.match(r"https?://", e.value):
                out.append((f"env {e.name}", e.value))
        for a in w.container.get("args") or []:
            flag, _, val = a.partition("=")
            if val and re.match(r"https?://", val):
                out.append((f"arg {flag}", val))
        return out


def matches_labels(selector: dict[str, Any] | None, labels: dict[str, str]) -> bool:
    """Kubernetes label-selector semantics; an empty selector matches everything."""
    selector = selector or {}
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], expr.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def _peer_matches(peer: dict[str, Any], labels: dict[str, str], namespace: str, own_namespace: str) -> bool:
    if "ipBlock" in peer:
        return False  # pod-to-pod traffic inside the cluster is not what ipBlock is for
    ns_labels = {"kubernetes.io/metadata.name": namespace}
    if "namespaceSelector" in peer:
        if not matches_labels(peer["namespaceSelector"], ns_labels):
            return False
    elif namespace != own_namespace:
        return False
    return matches_labels(peer.get("podSelector"), labels)


def _ports_allow(ports: list[dict[str, Any]] | None, port: int, pod: Workload) -> bool:
    if not ports:
        return True
    for p in ports:
        if (p.get("protocol") or "TCP") != "TCP":
            continue
        want = p.get("port")
        if want is None:
            return True
        if isinstance(want, str):
            want = pod.port(want)
        if want is None:
            continue
        end = p.get("endPort", want)
        if int(want) <= port <= int(end):
            return True
    return False


def traffic_allowed(objs: Objects, src: Workload, dst: Workload, port: int) -> bool:
    """Whether the NetworkPolicies let `src` open a TCP connection to `dst` on `port` (same namespace)."""
    ns = objs.namespace
    policies = objs.all("NetworkPolicy")

    def types(p: dict[str, Any]) -> list[str]:
        t = p["spec"].get("policyTypes")
        if t:
            return t
        return ["Ingress", "Egress"] if "egress" in p["spec"] else ["Ingress"]

    egress = [p for p in policies if "Egress" in types(p) and matches_labels(p["spec"].get("podSelector"), src.pod_labels)]
    if egress:
        ok = any(
            (not rule.get("to") or any(_peer_matches(peer, dst.pod_labels, ns, ns) for peer in rule["to"]))
            and _ports_allow(rule.get("ports"), port, dst)
            for p in egress
            for rule in p["spec"].get("egress") or []
        )
        if not ok:
            return False
    ingress = [p for p in policies if "Ingress" in types(p) and matches_labels(p["spec"].get("podSelector"), dst.pod_labels)]
    if ingress:
        ok = any(
            (not rule.get("from") or any(_peer_matches(peer, src.pod_labels, ns, ns) for peer in rule["from"]))
            and _ports_allow(rule.get("ports"), port, dst)
            for p in ingress
            for rule in p["spec"].get("ingress") or []
        )
        if not ok:
            return False
    return True


def egress_port_allowed(objs: Objects, src: Workload, port: int, protocol: str = "TCP") -> bool:
    """Whether `src` may open connections to *some* destination on `port` (DNS, the object store)."""
    egress = [
        p for p in objs.all("NetworkPolicy")
        if "Egress" in (p["spec"].get("policyTypes") or (["Egress"] if "egress" in p["spec"] else []))
        and matches_labels(p["spec"].get("podSelector"), src.pod_labels)
    ]
    if not egress:
        return True
    for p in egress:
        for rule in p["spec"].get("egress") or []:
            ports = rule.get("ports")
            if not ports:
                return True
            for q in ports:
                if (q.get("protocol") or "TCP") == protocol and (q.get("port") is None or int(q["port"]) <= port <= int(q.get("endPort", q["port"]))):
                    return True
    return False


def mount_for(w: Workload, path: str) -> dict[str, Any] | None:
    """The volumeMount (deepest) that holds `path`."""
    best = None
    for m in w.container.get("volumeMounts") or []:
        mp = m["mountPath"].rstrip("/")
        if path == mp or path.startswith(mp + "/"):
            if best is None or len(mp) > len(best["mountPath"].rstrip("/")):
                best = m
    return best


def volume(w: Workload, name: str) -> dict[str, Any] | None:
    for v in w.pod_spec.get("volumes") or []:
        if v["name"] == name:
            return v
    return None


# ---- the code's side: --help output and .proto files ----


@dataclass
class Help:
    """What a clap `--help` says: long flags, and per environment variable its default."""

    flags: set[str]
    env: dict[str, str | None]  # env name -> default value (None: no default shown)


def parse_help(text: str) -> Help:
    """Parses clap help (short or long form). Options start a block with `--flag`; within the block
    `[env: NAME=...]` and `[default: ...]` belong to it."""
    flags: set[str] = set()
    env: dict[str, str | None] = {}
    blocks: list[list[str]] = []
    for line in text.splitlines():
        if re.match(r"^\s*(?:-[A-Za-z0-9], )?--[a-z0-9][a-z0-9-]*", line):
            blocks.append([line])
        elif blocks:
            blocks[-1].append(line)
    for block in blocks:
        joined = " ".join(block)
        m = re.match(r"^\s*(?:-[A-Za-z0-9], )?(--[a-z0-9][a-z0-9-]*)", block[0])
        if m:
            flags.add(m.group(1))
        for name in re.findall(r"\[env:\s*([A-Z][A-Z0-9_]*)=", joined):
            d = re.search(r"\[default:\s*([^\]]*)\]", joined)
            env[name] = d.group(1).strip() if d else None
    return Help(flags=flags, env=env)


def run_help(binary: Path, *subcommand: str) -> Help:
    """`<binary> [subcommand] --help` with an empty environment (so clap shows no current values)."""
    proc = subprocess.run(
        [str(binary), *subcommand, "--help"],
        capture_output=True,
        text=True,
        timeout=30,
        env={"PATH": "/usr/bin:/bin"},
        check=False,
    )
    if proc.returncode != 0:
        raise ManifestError(f"{binary} {' '.join(subcommand)} --help exited {proc.returncode}: {proc.stderr.strip()}")
    return parse_help(proc.stdout)


def proto_services(proto_root: Path, svc: str) -> list[str]:
    """Fully-qualified service names (`package.Service`) in proto_root/bankseg/<svc>/v1/*.proto."""
    names = []
    for f in sorted((proto_root / "bankseg" / svc / "v1").glob("*.proto")):
        text = re.sub(r"//[^\n]*", "", f.read_text())
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
        pkg = re.search(r"^\s*package\s+([A-Za-z0-9_.]+)\s*;", text, flags=re.M)
        for s in re.findall(r"^\s*service\s+([A-Za-z0-9_]+)\s*\{", text, flags=re.M):
            names.append(f"{pkg.group(1)}.{s}" if pkg else s)
    return names
