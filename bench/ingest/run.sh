#!/usr/bin/env bash
# Peak memory and throughput of ingest-svc's cleaning on generated exports, beside DuckDB running the
# same cleaning (bench/ingest/duckdb_clean.py) on the same files.
#
#   bench/ingest/run.sh [ROWS ...]        # default: 1000000 10000000
#
# Generates each export with the synth crate's `generate` example (seed 42) into $BENCH_DIR (default
# /tmp/bankseg-ingest-bench), runs the release `ingest_file` example (ingest-svc's pipeline without the
# server: staging pass, DataFusion SQL, Parquet outputs, quality report) and then DuckDB, both under
# GNU time, and prints one Markdown table row per run. Needs /usr/bin/time and `pip install duckdb`.
# BANKSEG_INGEST_MEMORY_LIMIT_MB (default: the service's default, 256 MiB) and DUCKDB_MEMORY (default
# 1GB) set the engines' memory pools; both spill to disk beyond them. INGEST_ONLY=1 skips DuckDB.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
work="${BENCH_DIR:-/tmp/bankseg-ingest-bench}"
duckdb_memory="${DUCKDB_MEMORY:-1GB}"
ingest_only="${INGEST_ONLY:-0}"
if [ "$#" -eq 0 ]; then set -- 1000000 10000000; fi
mkdir -p "$work"

cargo build --release --quiet --manifest-path "$root/Cargo.toml" \
    -p ingest-svc --example ingest_file -p bankseg-synth --example generate

measure() { # LOG -> "peak_mib seconds"
    local rss secs
    rss=$(grep 'Maximum resident set size' "$1" | awk '{print $NF}')
    secs=$(grep 'Elapsed (wall clock)' "$1" | awk '{print $NF}' |
        awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
    echo "$((rss / 1024)) $secs"
}

echo "| rows | CSV MiB | engine | wall s | rows/s | peak RSS MiB | clean | quarantined |"
echo "|---:|---:|---|---:|---:|---:|---:|---:|"
for rows in "$@"; do
    csv="$work/export-$rows.csv"
    if [ ! -s "$csv" ]; then
        "$target/release/examples/generate" "$rows" 42 "$csv" 2>/dev/null
    fi
    mib=$(( $(stat -c %s "$csv") / 1048576 ))

    rm -rf "$work/store"
    /usr/bin/time -v "$target/release/examples/ingest_file" "$csv" "$work/store" \
        >"$work/report-$rows.json" 2>"$work/ingest-$rows.log"
    read -r rss secs <<<"$(measure "$work/ingest-$rows.log")"
    read -r clean quarantined <<<"$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(r['rows_clean'], r['rows_quarantined'])" "$work/report-$rows.json")"
    echo "| $rows | $mib | ingest-svc (DataFusion) | $secs | $(python3 -c "print(round($rows / $secs))") | $rss | $clean | $quarantined |"

    if [ "$ingest_only" = 1 ]; then continue; fi
    rm -rf "$work/duckdb-spill"
    /usr/bin/time -v python3 "$root/bench/ingest/duckdb_clean.py" "$csv" "$work" "$duckdb_memory" \
        >"$work/duckdb-$rows.json" 2>"$work/duckdb-$rows.log"
    read -r rss secs <<<"$(measure "$work/duckdb-$rows.log")"
    read -r clean quarantined <<<"$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(r['rows_clean'], r['rows_quarantined'])" "$work/duckdb-$rows.json")"
    echo "| $rows | $mib | DuckDB $(python3 -c 'import duckdb; print(duckdb.__version__)') | $secs | $(python3 -c "print(round($rows / $secs))") | $rss | $clean | $quarantined |"
done
