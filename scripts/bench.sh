#!/usr/bin/env bash
# `make bench`: build the release binaries, then measure what Switchyard adds to a request
# against a fast mock provider on loopback (see docs/benchmarks.md). Arguments go to
# switchyard-bench:
#   make bench
#   ./scripts/bench.sh --phase-secs 1 --out /tmp/bench.md     # shorter; also write the report
#   ./scripts/bench.sh --strict                               # exit 1 when a target is missed
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cargo build --release --locked -p switchyard-cli -p switchyard-bench
target="${CARGO_TARGET_DIR:-target}"
# The run itself takes about 80 s; this bound only catches a hang.
exec timeout 280 "$target/release/switchyard-bench" "$@"
