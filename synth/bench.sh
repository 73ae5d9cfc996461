#!/usr/bin/env bash
# Memory and throughput of the synthetic-data generator: builds the `generate` example in release
# and writes ROWS rows (default 10 million) under `/usr/bin/time -v`, then prints the peak resident
# set size and the throughput.
#
#   synth/bench.sh [ROWS] [SEED] [OUT]
#
# OUT defaults to /dev/null (generation and formatting only); pass a file path to include disk
# writes. Needs GNU time (`apt-get install -y time`).
set -euo pipefail

rows="${1:-10000000}"
seed="${2:-42}"
out="${3:-/dev/null}"
root="$(cd "$(dirname "$0")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"

if [ ! -x /usr/bin/time ]; then
    echo "bench.sh: /usr/bin/time not found; install GNU time (apt-get install -y time)" >&2
    exit 1
fi

cargo build --release --quiet --manifest-path "$root/Cargo.toml" -p bankseg-synth --example generate
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
/usr/bin/time -v "$target/release/examples/generate" "$rows" "$seed" "$out" 2>"$log"
grep -E '^(Summary|rows=)' "$log"
grep -E 'Maximum resident set size|Elapsed \(wall clock\)' "$log" | sed 's/^[[:space:]]*//'
