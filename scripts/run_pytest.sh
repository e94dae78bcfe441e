#!/usr/bin/env bash
# Run the test suite with the project's venv, passing arguments to pytest.
# Each run gets its own empty data dir, so tests never touch the data of `make run`.
# pytest exits 5 when it collected no test; here that means a broken suite, so fail.
set -uo pipefail
cd "$(dirname "$0")/.."
label="$([ -n "${DATABASE_URL:-}" ] && echo PostgreSQL || echo SQLite)"
data_dir="$(mktemp -d -t opsloop-test-XXXXXX)"
trap 'rm -rf "$data_dir"' EXIT
export OPSLOOP_DATA_DIR="$data_dir"
echo "== pytest on ${label}"
.venv/bin/python -m pytest "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests on ${label}: failing the run." >&2
  exit 1
fi
exit "$rc"
