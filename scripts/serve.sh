#!/usr/bin/env bash
# Builds the release app with trunk and serves it on 127.0.0.1 with the
# bundled demo trace open. Usage: scripts/serve.sh [PORT]   (default 8080)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
. scripts/ensure-tools.sh
PORT="${1:-8080}"
cargo fetch --quiet
trunk build --release
echo
echo "Traceglass is at http://127.0.0.1:$PORT/  (the demo trace opens by itself; Ctrl+C stops)"
exec python3 -m http.server "$PORT" --bind 127.0.0.1 --directory dist
