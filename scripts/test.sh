#!/usr/bin/env bash
# Runs every test: formatting and lints (native and wasm32), the native
# tests (model, importers, analysis, fixtures, CRISP oracle), then the
# release build in real headless Chromium (end-to-end, playwright-core).
# Installs whatever is missing first. The last line counts what ran.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
. scripts/ensure-tools.sh || { echo "tool installation failed"; exit 1; }
LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT
failed_steps=()

step() {
  local name="$1"; shift
  echo "=== $name"
  if ! "$@" 2>&1 | tee -a "$LOG"; then
    failed_steps+=("$name")
  fi
}

cargo fetch --quiet
step "cargo fmt --check" cargo fmt --all -- --check
step "clippy (native)" cargo clippy --all-targets --quiet -- -D warnings
step "clippy (wasm32)" cargo clippy --target wasm32-unknown-unknown --lib --bins --quiet -- -D warnings
step "native tests" cargo test --quiet
step "trunk build --release" trunk build --release
if [[ " ${failed_steps[*]} " != *"trunk build"* ]]; then
  step "end-to-end (Chromium)" bash -c 'cd e2e && npm test'
fi

passed=$(grep -Eo 'test result: [a-zA-Z]+\. [0-9]+ passed' "$LOG" | awk '{s+=$4} END {print s+0}')
failed=$(grep -Eo 'test result: [a-zA-Z]+\. [0-9]+ passed; [0-9]+ failed' "$LOG" | awk '{s+=$6} END {print s+0}')
e2e_pass=$(grep -E '^# pass [0-9]+' "$LOG" | awk '{s+=$3} END {print s+0}')
e2e_fail=$(grep -E '^# fail [0-9]+' "$LOG" | awk '{s+=$3} END {print s+0}')
passed=$((passed + e2e_pass))
failed=$((failed + e2e_fail))
if [ ${#failed_steps[@]} -gt 0 ]; then
  echo "failed steps: ${failed_steps[*]}"
  [ "$failed" -gt 0 ] || failed=${#failed_steps[@]}
fi
echo "tests: $passed passed, $failed failed"
[ ${#failed_steps[@]} -eq 0 ] && [ "$failed" -eq 0 ]
