#!/usr/bin/env bash
# Run the test suite with the project's venv, passing arguments to pytest.
# pytest exits 5 when it collected no test; here that means a broken suite, so fail.
set -uo pipefail
cd "$(dirname "$0")/.."
label="${OPSLOOP_TEST_LABEL:-$([ -n "${DATABASE_URL:-}" ] && echo PostgreSQL || echo SQLite)}"
echo "== pytest on ${label}"
.venv/bin/python -m pytest "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests on ${label}: failing the run." >&2
  exit 1
fi
exit "$rc"
