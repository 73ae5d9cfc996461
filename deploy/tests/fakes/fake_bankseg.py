"""Stand-in for the bankseg CLI (`generate`, and `run` against running services), with the flags and
environment variables the CronJob uses, for testing the rehearsal and the manifest check.

`run` checks each service's own gRPC health over the given URLs, picks the newest file under
--input-latest (.csv or .parquet, by modification time), exits 2 with an `error:` line when it is
not a bank export, and otherwise writes report.html, report.md, analysis.json, quality.json,
clean.parquet to --out and copies them to <--publish>/<analysis id>/.
"""

import json
import os
import random
import shutil
import sys
import time

HEADER = "USERID,score,city,gender,age,equity,balance,products,credit_card,last_activity,EST_SALARY,churn"
RUN = [
    ("--input", "BANKSEG_INPUT", None), ("--input-latest", "BANKSEG_INPUT_LATEST", None),
    ("--publish", "BANKSEG_PUBLISH", None), ("--out", "BANKSEG_OUT", None), ("--lang", "BANKSEG_LANG", "ru"),
    ("--ingest", "BANKSEG_INGEST_URL", None), ("--analysis", "BANKSEG_ANALYSIS_URL", None),
    ("--report", "BANKSEG_REPORT_URL", None), ("--log-format", "BANKSEG_LOG_FORMAT", "text"),
    ("--config", "BANKSEG_CONFIG", None), ("--mapping", "BANKSEG_MAPPING", None),
    ("--delimiter", "BANKSEG_DELIMITER", None), ("--store", "BANKSEG_STORE", None),
    ("--timeout-secs", "BANKSEG_TIMEOUT_SECS", "900"),
]
GENERATE = [("--rows", None, "10000"), ("--seed", None, "42"), ("--out", None, None)]
SERVICES = {"--ingest": "bankseg.ingest.v1.IngestService", "--analysis": "bankseg.analysis.v1.AnalysisService",
            "--report": "bankseg.report.v1.ReportService"}


def parse(args, options):
    vals = {flag: (os.environ.get(env) if env else None) or default for flag, env, default in options}
    i = 0
    while i < len(args):
        a = args[i]
        if "=" in a:
            flag, v = a.split("=", 1)
            i += 1
        else:
            flag, v = a, args[i + 1]
            i += 2
        if flag not in vals:
            print(f"error: unexpected argument '{flag}' found", file=sys.stderr)
            sys.exit(2)
        vals[flag] = v
    return vals


def main():
    sys.path.insert(0, os.path.dirname(__file__))
    from fake_service import clap_help, s3_client

    args = sys.argv[1:]
    if not args or args[0] in ("--help", "-h"):
        print("bankseg\n\nUsage: bankseg <COMMAND>\n\nCommands:\n  run\n  generate\n\nOptions:\n  -h, --help\n          Print help")
        return 0
    cmd, rest = args[0], args[1:]
    if cmd == "generate":
        if "--help" in rest:
            print(clap_help("bankseg generate", GENERATE))
            return 0
        v = parse(rest, GENERATE)
        rng = random.Random(int(v["--seed"]))
        with open(v["--out"], "w") as f:
            f.write(HEADER + "\n")
            for i in range(int(v["--rows"])):
                f.write(f"{100000 + i},{rng.randint(600, 1000)},Ярославль,{rng.choice('МЖ')},{rng.randint(18, 80)},"
                        f"{rng.randint(0, 9)},{rng.random() * 1e6:.2f},{rng.randint(1, 4)},1,0,{rng.random() * 2e5:.2f},{rng.randint(0, 1)}\n")
        return 0
    if cmd != "run":
        print(f"error: unrecognized subcommand '{cmd}'", file=sys.stderr)
        return 2
    if "--help" in rest:
        print(clap_help("bankseg run", RUN))
        return 0
    v = parse(rest, RUN)
    as_json = v["--log-format"] == "json"

    def log(level, msg, **fields):
        if as_json:
            print(json.dumps({"level": level, "message": msg, **fields}), file=sys.stderr, flush=True)
        else:
            print(f"{level.lower()}: {msg} {fields if fields else ''}", file=sys.stderr, flush=True)

    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    for flag, svc in SERVICES.items():
        url = v[flag]
        if not url or not url.startswith("http://"):
            log("ERROR", f"error: stage connect failed: {flag} needs an http:// URL, got {url!r}")
            return 1
        with grpc.insecure_channel(url[len("http://"):]) as ch:
            try:
                st = health_pb2_grpc.HealthStub(ch).Check(health_pb2.HealthCheckRequest(service=svc), timeout=5)
            except grpc.RpcError as e:
                log("ERROR", f"error: stage connect failed: {svc} at {url}: {e.code().name}")
                return 1
            if st.status != health_pb2.HealthCheckResponse.SERVING:
                log("ERROR", f"error: stage connect failed: {svc} at {url} is not serving")
                return 1
    latest = v["--input-latest"] or ""
    if latest.startswith("s3://"):
        bucket, _, prefix = latest[len("s3://"):].partition("/")
        objects = s3_client().list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
        objects = [o for o in objects if o["Key"].lower().endswith((".csv", ".parquet"))]
        if not objects:
            print(f"error: no .csv or .parquet export under {latest}", file=sys.stderr)
            return 2
        newest_obj = max(objects, key=lambda o: (o["LastModified"], o["Key"]))
        newest = f"s3://{bucket}/{newest_obj['Key']}"
        text = s3_client().get_object(Bucket=bucket, Key=newest_obj["Key"])["Body"].read().decode()
    else:
        files = []
        for dirpath, _, names in os.walk(latest or "/nonexistent"):
            files += [os.path.join(dirpath, n) for n in names if n.lower().endswith((".csv", ".parquet"))]
        if not files:
            print(f"error: no .csv or .parquet export under {latest}", file=sys.stderr)
            return 2
        newest = max(files, key=lambda f: (os.stat(f).st_mtime, f))
        with open(newest, encoding="utf-8") as f:
            text = f.read()
    lines = text.splitlines()
    header, rows = (lines[0].strip() if lines else ""), max(len(lines) - 1, 0)
    if header != HEADER:
        print(f"error: ingest: {newest}: line 1: expected the bank export header, found {header!r} (InvalidArgument)",
              file=sys.stderr)
        return 2
    out = v["--out"]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "report.html"), "w") as f:
        f.write(f"<!doctype html><html lang=\"{v['--lang']}\"><body>{rows} customers</body></html>")
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write(f"# bankseg\n\n{rows} customers\n")
    with open(os.path.join(out, "analysis.json"), "w") as f:
        json.dump({"rows": rows, "segments": []}, f)
    with open(os.path.join(out, "quality.json"), "w") as f:
        json.dump({"rows_in": rows, "rows_clean": rows}, f)
    with open(os.path.join(out, "clean.parquet"), "wb") as f:
        f.write(b"PAR1" + b"\0" * 16 + b"PAR1")
    if v["--publish"]:
        analysis_id = "an-" + "".join(random.choice("0123456789abcdef") for _ in range(12))
        if v["--publish"].startswith("s3://"):
            bucket, _, prefix = v["--publish"][len("s3://"):].partition("/")
            for n in os.listdir(out):
                key = "/".join(p for p in (prefix.strip("/"), analysis_id, n) if p)
                with open(os.path.join(out, n), "rb") as f:
                    s3_client().put_object(Bucket=bucket, Key=key, Body=f.read())
        else:
            dest = os.path.join(v["--publish"], analysis_id)
            os.makedirs(dest, exist_ok=True)
            for n in os.listdir(out):
                shutil.copy(os.path.join(out, n), dest)
    log("INFO", "run finished", input=newest, rows=rows, seconds=round(time.process_time(), 3))
    return 0


if __name__ == "__main__":
    sys.exit(main())
