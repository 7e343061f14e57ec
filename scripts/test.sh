#!/usr/bin/env bash
# Install the test tools and run the whole suite on SQLite and on PostgreSQL, side by side.
# TEST_PG_URL names the PostgreSQL server (a fresh database is made on it per run).
set -euo pipefail
cd "$(dirname "$0")/.."
PG_URL="${TEST_PG_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/postgres}"

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
# axe-core and the Nu HTML Checker for the browser tests; their install scripts are not
# needed (vnu-jar's would fetch a Java runtime: the machine's own java runs vnu.jar).
if [ -f package.json ]; then
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
fi

if ! .venv/bin/python - "$PG_URL" <<'PY'
import sys
from sqlalchemy import create_engine, text
try:
    with create_engine(sys.argv[1]).connect() as connection:
        connection.execute(text("SELECT 1"))
except Exception as error:
    sys.exit(f"PostgreSQL is not reachable at {sys.argv[1]}: {error}")
PY
then
  exit 1
fi

# The two runs go side by side, one a core: the SQLite run with the browser tests (they drive
# the pages; what depends on the database is in the rest of the suite), the PostgreSQL run
# with everything else. Each run's output is shown whole once both are done.
logs=$(mktemp -d)
.venv/bin/python -m pytest "$@" >"$logs/sqlite.log" 2>&1 &
sqlite=$!
TEST_DATABASE_URL="$PG_URL" .venv/bin/python -m pytest --ignore=tests/browser "$@" \
  >"$logs/postgresql.log" 2>&1 &
postgresql=$!
status=0
wait "$sqlite" || status=1
wait "$postgresql" || status=1
echo "== tests on SQLite"
cat "$logs/sqlite.log"
echo "== tests on PostgreSQL"
cat "$logs/postgresql.log"
rm -rf "$logs"
exit "$status"
