#!/usr/bin/env bash
# Fresh machine to a running app with demo content, on the embedded default (SQLite under instance/).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
export BASE_URL="${BASE_URL:-http://127.0.0.1:${PORT:-5000}}"
.venv/bin/flask --app app db upgrade
.venv/bin/flask --app app demo --if-empty
echo
echo "Serving on http://127.0.0.1:${PORT:-5000}/  (Ctrl-C to stop)"
exec .venv/bin/flask --app app run --host 127.0.0.1 --port "${PORT:-5000}"
