"""Stand-in for ingest-svc / analysis-svc / report-svc, for testing the rehearsal and the
manifest check before (or without) the real binaries: the same flags and environment variables in a
clap-style --help, grpc.health.v1 with the same service names, JSON logs, SIGTERM drain.

    fake_service.py <binary name> [--help]
Environment FAKE_DROP_ENV=NAME leaves NAME out of --help (to test that the check notices).
"""

import json
import os
import signal
import sys
import threading
import time
from concurrent import futures
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FLIGHT = "arrow.flight.protocol.FlightService"
RUNTIME = [
    ("--store", "BANKSEG_STORE", "./bankseg-data"),
    ("--max-message-bytes", "BANKSEG_MAX_MESSAGE_BYTES", "67108864"),
    ("--request-timeout-secs", "BANKSEG_REQUEST_TIMEOUT_SECS", "900"),
    ("--shutdown-grace-secs", "BANKSEG_SHUTDOWN_GRACE_SECS", "25"),
    ("--log-format", "BANKSEG_LOG_FORMAT", "text"),
]
SPECS = {
    "ingest-svc": {
        "options": [("--listen", "BANKSEG_LISTEN", "0.0.0.0:50051"), *RUNTIME,
                    ("--allowed-roots", "BANKSEG_ALLOWED_ROOTS", None), ("--mapping", "BANKSEG_MAPPING", None),
                    ("--work-dir", "BANKSEG_INGEST_WORK_DIR", None),
                    ("--memory-limit-mb", "BANKSEG_INGEST_MEMORY_LIMIT_MB", "2048"),
                    ("--max-field-bytes", "BANKSEG_INGEST_MAX_FIELD_BYTES", "1048576")],
        "services": ["bankseg.ingest.v1.IngestService", FLIGHT],
        "requires": [],
    },
    "analysis-svc": {
        "options": [("--listen", "BANKSEG_LISTEN", "0.0.0.0:50052"), *RUNTIME,
                    ("--ingest-url", "BANKSEG_INGEST_URL", "http://127.0.0.1:50051"),
                    ("--analysis-config", "BANKSEG_ANALYSIS_CONFIG", None)],
        "services": ["bankseg.analysis.v1.AnalysisService", FLIGHT],
        "requires": ["BANKSEG_INGEST_URL"],
    },
    "report-svc": {
        "options": [("--listen", "BANKSEG_LISTEN", "0.0.0.0:50053"), *RUNTIME,
                    ("--analysis-url", "BANKSEG_ANALYSIS_URL", "http://127.0.0.1:50052"),
                    ("--http-listen", "BANKSEG_HTTP_LISTEN", "0.0.0.0:8080")],
        "services": ["bankseg.report.v1.ReportService"],
        "requires": ["BANKSEG_ANALYSIS_URL"],
    },
}


def s3_client():
    """boto3 configured from the same AWS_* variables object_store reads."""
    import boto3

    return boto3.client("s3", endpoint_url=os.environ.get("AWS_ENDPOINT"), region_name=os.environ.get("AWS_REGION"))


def clap_help(name, options, about="bankseg service"):
    drop = os.environ.get("FAKE_DROP_ENV", "")
    out = [about, "", f"Usage: {name} [OPTIONS]", "", "Options:"]
    for flag, env, default in options:
        out.append(f"      {flag} <{flag[2:].upper().replace('-', '_')}>")
        out.append(f"          Sets {flag[2:]}")
        out.append("")
        if env and env != drop:
            out.append(f"          [env: {env}=]")
        if default is not None:
            out.append(f"          [default: {default}]")
        out.append("")
    out += ["  -h, --help", "          Print help (see a summary with '-h')", "", "  -V, --version", "          Print version"]
    return "\n".join(out)


def main():
    name, args = sys.argv[1], sys.argv[2:]
    spec = SPECS[name]
    if "--help" in args or "-h" in args:
        print(clap_help(name, spec["options"]))
        return 0
    values = {env: os.environ.get(env, default) for _, env, default in spec["options"]}
    as_json = values["BANKSEG_LOG_FORMAT"] == "json"

    def log(level, msg, **fields):
        if as_json:
            line = json.dumps({"timestamp": time.time(), "level": level, "message": msg, "target": name, **fields})
        else:
            line = f"{level} {name}: {msg} {fields}"
        print(line, file=sys.stderr, flush=True)

    for req in spec["requires"]:
        if not os.environ.get(req):
            log("ERROR", f"{req} is required")
            return 2
    # The store must be usable: leave a marker where the real service keeps its artifacts.
    store = values["BANKSEG_STORE"]
    kind = {"ingest-svc": "datasets", "analysis-svc": "analyses", "report-svc": "reports"}[name]
    if store.startswith("s3://"):
        bucket, _, prefix = store[len("s3://"):].partition("/")
        key = "/".join(p for p in (prefix.strip("/"), kind, ".marker") if p)
        s3_client().put_object(Bucket=bucket, Key=key, Body=b"ok")
    else:
        store = store[len("file://"):] if store.startswith("file://") else store
        os.makedirs(os.path.join(store, kind), exist_ok=True)
        with open(os.path.join(store, kind, ".marker"), "w") as f:
            f.write("ok")

    import grpc
    from grpc_health.v1 import health, health_pb2, health_pb2_grpc

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    for s in ["", *spec["services"]]:
        servicer.set(s, health_pb2.HealthCheckResponse.SERVING)
    if server.add_insecure_port(values["BANKSEG_LISTEN"]) == 0:
        log("ERROR", f"cannot listen on {values['BANKSEG_LISTEN']}")
        return 1
    server.start()
    log("INFO", "serving gRPC", addr=values["BANKSEG_LISTEN"], store=store)

    http = None
    if name == "report-svc":
        host, port = values["BANKSEG_HTTP_LISTEN"].rsplit(":", 1)

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(404)
                self.end_headers()
                self.wfile.write(b"no such report")

            def log_message(self, *a):
                pass

        http = ThreadingHTTPServer((host, int(port)), Handler)
        threading.Thread(target=http.serve_forever, daemon=True).start()
        log("INFO", "serving dashboard", addr=values["BANKSEG_HTTP_LISTEN"])

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    signal.signal(signal.SIGINT, lambda *a: stop.set())
    while not stop.wait(0.2):
        pass
    log("INFO", "shutdown signal received, draining in-flight requests")
    for s in ["", *spec["services"]]:
        servicer.set(s, health_pb2.HealthCheckResponse.NOT_SERVING)
    server.stop(grace=min(float(values["BANKSEG_SHUTDOWN_GRACE_SECS"]), 2.0)).wait()
    if http:
        http.shutdown()
    log("INFO", "stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
