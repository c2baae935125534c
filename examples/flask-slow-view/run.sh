#!/usr/bin/env bash
# Record the flask-slow-view seed story with the real OpenTelemetry Python SDK
# and write public/demo/flask-slow-view.otlp.json (see README.md).
#
#   examples/flask-slow-view/run.sh [record.py options]
#
# Needs python3 (3.9+; recorded with 3.11) and access to PyPI for the first run.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
python="${PYTHON:-python3}"

if [[ ! -x "$venv/bin/python" ]]; then
  echo "creating $venv"
  "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
exec "$venv/bin/python" "$here/record.py" "$@"
