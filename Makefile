# The two commands that matter: `make run` starts Switchyard, `make test` runs every test.
# Both install what is missing on a fresh Debian/Ubuntu machine first (scripts/setup.sh).

.PHONY: run test setup check fmt lint fuzz faults bench ui bindings bundle

run:
	@./scripts/run.sh

test:
	@./scripts/test.sh

setup:
	@./scripts/setup.sh

# The desktop app's installers: .deb and .rpm on Linux (.app/.dmg on macOS, .msi/.exe on
# Windows), in target/release/bundle/.
bundle:
	@./scripts/bundle.sh

# What Switchyard adds to a request (latency, throughput, streaming, memory, start-up, history),
# measured against a fast mock provider on loopback; prints one table. See docs/benchmarks.md.
bench:
	@./scripts/bench.sh

# Quick inner loop while developing: formatting, lints and the Rust tests only.
check: fmt lint
	cargo test --workspace

fmt:
	cargo fmt --all -- --check

lint:
	cargo clippy --workspace --all-targets --locked -- -D warnings

# The gateway in front of a chaos upstream, every fault in every client format; memory, a
# locked history, SIGKILL under load and a full disk (tests/faults/run.sh).
faults:
	@bash tests/faults/run.sh

# Every parser and translator under libFuzzer, 5 minutes each (FUZZ_SECONDS to change).
fuzz:
	@FUZZ_SECONDS=$${FUZZ_SECONDS:-300} ./scripts/fuzz.sh

# The dashboard's production bundle (ui/dist), embedded into the gateway at build time.
ui:
	@./scripts/ui.sh build

# Regenerates the dashboard's TypeScript types (ui/src/api/generated) from the admin API's Rust types.
bindings:
	UPDATE_BINDINGS=1 cargo test -p switchyard-gateway --lib bindings
