#!/usr/bin/env bash
# Runs the fuzz targets (fuzz/, cargo fuzz with libFuzzer) for a given time
# each:      scripts/fuzz.sh TARGET|all SECONDS [extra libFuzzer flags…]
# then keeps what they found in the stored corpora, minimized:
#            scripts/fuzz.sh TARGET|all store
#
# Needs a nightly toolchain and cargo-fuzz (cargo install cargo-fuzz).
# Each target starts from its working corpus (fuzz/work/TARGET, not in git,
# where new inputs go), its stored corpus (fuzz/corpus/TARGET), a few
# hand-written seeds (fuzz/seeds/TARGET) and the shared fixtures that fit
# its input (../shared/fixtures, never copied into the repository), with
# the JSON dictionary fuzz/json.dict. No input may take over a second
# (-timeout=1) or allocate past the limits below; inputs are at most 8 KB
# (more executions a second; the fixtures are cut there).
# It runs niced, one job at a time. Crashes go to fuzz/artifacts/TARGET/
# (replay one: cargo +nightly fuzz run -a -s none TARGET FILE).
# libFuzzer's output (executions, exec/s, cov, ft) is kept in
# fuzz/logs/TARGET.log. `store` replaces the stored corpus with a minimal
# set of the stored and working inputs that reaches every code edge they
# reach (libFuzzer's -set_cover_merge=1 -use_counters=0, a smaller
# `cargo fuzz cmin`; each input cut to 2 KB), which tests/fuzz_corpus.rs
# replays.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

if [ $# -lt 2 ]; then
  echo "usage: scripts/fuzz.sh TARGET|all SECONDS [libFuzzer flags…]" >&2
  exit 2
fi
what=$1
seconds=$2
shift 2
targets=(sniff jaeger otlp zipkin ndjson gzip stream jaeger_fast jaeger_api search url duration_logfmt)
if [ "$what" != all ]; then
  targets=("$what")
fi

fixtures=$(cd .. && pwd)/../shared/fixtures

# Seeds derived from the fixtures for the targets whose input is not a bare
# file (gzip's mode byte, the stream's two seed bytes), made in a temporary
# folder, never in the repository.
derived=$(mktemp -d)
trap 'rm -rf "$derived"' EXIT
derive() { # target prefix-bytes
  mkdir -p "$derived/$1"
  for f in "$fixtures"/*/*.json "$fixtures"/*/*.ndjson; do
    [ -f "$f" ] || continue
    [ "$(stat -c %s "$f")" -le 65536 ] || continue
    { printf '%b' "$2"; cat "$f"; } > "$derived/$1/$(basename "$(dirname "$f")")-$(basename "$f")"
  done
}
derive gzip '\x00'
derive stream '\x05\x00'

extra_dirs() {
  case $1 in
    sniff) echo "$fixtures/jaeger $fixtures/otlp $fixtures/zipkin $fixtures/tempo $fixtures/jaeger-apiv3 $fixtures/crisp" ;;
    stream | gzip) echo "$derived/$1" ;;
    jaeger) echo "$fixtures/jaeger $fixtures/crisp" ;;
    otlp) echo "$fixtures/otlp $fixtures/tempo" ;;
    zipkin) echo "$fixtures/zipkin" ;;
    ndjson) echo "$fixtures/otlp" ;;
    jaeger_api) echo "$fixtures/jaeger-apiv3" ;;
    *) ;;
  esac
}

mkdir -p logs
export CARGO_BUILD_JOBS=1
nice -n 19 cargo +nightly fuzz build -a -s none

if [ "$seconds" = store ]; then
  for t in "${targets[@]}"; do
    mkdir -p "work/$t" "corpus/$t"
    merged=$(mktemp -d)
    nice -n 19 cargo +nightly fuzz run -a -s none "$t" "$merged" "corpus/$t" "work/$t" -- \
      -set_cover_merge=1 -use_counters=0 -max_len=2048 -timeout=1 -rss_limit_mb=2048 -malloc_limit_mb=1024 2>&1 | tail -n 2
    rm -rf "corpus/$t"
    mv "$merged" "corpus/$t"
    chmod 755 "corpus/$t"
    echo "$t: $(ls "corpus/$t" | wc -l) inputs, $(du -sh "corpus/$t" | cut -f1)"
  done
  exit 0
fi

for t in "${targets[@]}"; do
  mkdir -p "work/$t" "corpus/$t"
  echo "== $t for ${seconds}s"
  # With -jobs, libFuzzer runs the job in a child process whose output
  # goes to fuzz-0.log: it is kept as logs/TARGET.log.
  rm -f fuzz-0.log
  status=0
  # shellcheck disable=SC2046
  nice -n 19 cargo +nightly fuzz run -a -s none "$t" "work/$t" "corpus/$t" "seeds/$t" $(extra_dirs "$t") -- \
    -dict=json.dict -max_total_time="$seconds" -timeout=1 \
    -rss_limit_mb=2048 -malloc_limit_mb=1024 -max_len=8192 \
    -jobs=1 -workers=1 -print_final_stats=1 "$@" || status=$?
  mv -f fuzz-0.log "logs/$t.log" 2>/dev/null || true
  grep -E 'stat::number_of_executed_units|stat::average_exec_per_sec|^#[0-9]+[[:space:]]+DONE|panicked|SUMMARY|ERROR' "logs/$t.log" || true
  if [ "$status" != 0 ]; then
    echo "$t: libFuzzer stopped with status $status (see fuzz/logs/$t.log and fuzz/artifacts/$t/)" >&2
    exit "$status"
  fi
done
