#!/usr/bin/env bash
# Runs each cargo-fuzz target in fuzz/ for FUZZ_SECONDS (default 60). cargo-fuzz is installed
# from crates.io when missing. The toolchain here is stable: RUSTC_BOOTSTRAP lets it accept the
# sanitizer flags libFuzzer builds need, instead of requiring a nightly toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-60}"
command -v cargo-fuzz >/dev/null 2>&1 || cargo install --locked cargo-fuzz
export RUSTC_BOOTSTRAP=1
cargo fuzz build --fuzz-dir fuzz -O
for target in $(cargo fuzz list --fuzz-dir fuzz); do
  echo "fuzz: $target for ${seconds}s"
  cargo fuzz run --fuzz-dir fuzz -O "$target" -- -max_total_time="$seconds" -print_final_stats=0 2>&1 \
    | grep -E "^Done|ERROR|panicked|SUMMARY" || true
  # cargo fuzz exits non-zero on a crash; pipefail above is defeated by grep, so check artifacts.
  if compgen -G "fuzz/artifacts/$target/crash-*" >/dev/null; then
    echo "fuzz: $target found a crash: $(ls fuzz/artifacts/$target/crash-*)" >&2
    exit 1
  fi
done
