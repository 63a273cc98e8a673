#!/usr/bin/env bash
# `make bench`: build the release binaries, then measure what Switchyard adds to a request
# against a fast mock provider on loopback, then time the dashboard's views over a year of history,
# then watch the gateway's memory through a ten-minute soak (see docs/benchmarks.md). Arguments
# go to the first run of switchyard-bench:
#   make bench
#   ./scripts/bench.sh --phase-secs 1 --out /tmp/bench.md     # shorter; also write the report
#   ./scripts/bench.sh --strict                               # exit 1 when a target is missed
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cargo build --release --locked -p switchyard-cli -p switchyard-bench
target="${CARGO_TARGET_DIR:-target}"
# The run itself takes about 80 s; this bound only catches a hang.
timeout 280 "$target/release/switchyard-bench" "$@"
# Then the dashboard's views over 100,000 and 1,000,000 history rows written through the
# history writer (about 9 minutes, most of it writing the million; needs about 6 GB of /tmp).
echo
timeout 1500 "$target/release/switchyard-bench" dashboard
# Then ten minutes of mixed load: the gateway's memory at the start, middle and end.
echo
exec timeout 720 "$target/release/switchyard-bench" soak
