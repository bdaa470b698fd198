#!/usr/bin/env bash
# Runs the mutation harness of tests/readers_mutation.rs (every reader: inventory detection and
# each inventory format, CKL, CKLB, benchmark XCCDF/zip/derived JSON, site file, validate) for
# many executions, and prints executions, crashes, the slowest case and the peak memory.
#
#   scripts/fuzz.sh [EXECS] [SEED]      # default 100000 executions, a new seed each run (printed)
#
# The toolchain is stable Rust, so this is a seeded mutation harness rather than cargo-fuzz:
# the same seed gives the same cases, and an input that crashes a reader is saved under
# target/fuzz-crashes/. Set FUZZ_PROFILE=release to run an optimized build (faster cases,
# a longer first build). Exit status: 0 when nothing crashed, hung or used too much memory.
set -euo pipefail
cd "$(dirname "$0")/.."
execs="${1:-100000}"
seed="${2:-$(date +%s)}"
profile=()
if [[ "${FUZZ_PROFILE:-debug}" == release ]]; then
    profile=(--release)
fi
rm -rf target/fuzz-crashes
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
EXSTIG_FUZZ_EXECS="$execs" EXSTIG_FUZZ_SEED="$seed" \
    cargo test "${profile[@]}" --quiet --test readers_mutation every_reader_survives_mutated_inputs \
    -- --exact --nocapture >"$log" 2>&1 || status=$?
fuzz_line="$(grep -m1 '^fuzz:' "$log" || true)"
if [[ -z "$fuzz_line" ]]; then
    cat "$log"
    echo "fuzz: the harness did not run" >&2
    exit 1
fi
field() { sed -n "s/.* $1 \([^ ]*\).*/\1/p" <<<"$fuzz_line"; }
echo "executions:        $(field execs)"
echo "crashes:           $(field crashes)"
echo "seconds:           $(field seconds)"
echo "slowest case:      $(sed -n 's/.* slowest \(.*\) most memory.*/\1/p' <<<"$fuzz_line")"
echo "most memory/case:  $(sed -n 's/.* most memory held by one case \(.*\) peak RSS.*/\1/p' <<<"$fuzz_line")"
echo "peak RSS:          $(field "peak RSS") KiB (the harness process)"
echo "seed:              $seed"
if [[ $status -ne 0 ]]; then
    grep -A40 'inputs crash a reader\|a case took\|held .* bytes for' "$log" || tail -40 "$log"
    ls target/fuzz-crashes 2>/dev/null | sed 's/^/saved: target\/fuzz-crashes\//' || true
fi
exit "$status"
