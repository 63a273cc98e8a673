#!/usr/bin/env bash
# The fault-injection suite (`make faults`, and a step of `make test`): the gateway in front of
# a chaos upstream in every client format, memory under 10,000 invented models and a 2 GiB
# answer, a history locked by another process, SIGKILL under load, and a full disk.
#
# --workspace (with --test) rather than -p: the same features as `cargo test --workspace`, so
# nothing is compiled again after it.
set -euo pipefail
cd "$(dirname "$0")/../.."

cargo test --workspace --locked --test faults --test memory --test storage --test crash

# The disk-full case needs a file system it can fill: an 8 MiB tmpfs, mounted for it alone.
small_fs="$(mktemp -d)"
as_root=()
[ "$(id -u)" = 0 ] || as_root=(sudo -n)
if ! "${as_root[@]}" mount -t tmpfs -o size=8m,mode=0777 switchyard-faults "$small_fs"; then
  echo "tests/faults: cannot mount a tmpfs for the disk-full case (needs root or passwordless sudo)" >&2
  exit 1
fi
trap '"${as_root[@]}" umount "$small_fs" && rmdir "$small_fs"' EXIT
SWITCHYARD_FAULTS_SMALL_FS="$small_fs" cargo test --workspace --locked --test storage -- \
  --ignored --exact a_full_disk_is_reported_requests_keep_flowing_and_rows_are_written_once_there_is_room
