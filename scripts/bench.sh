#!/usr/bin/env bash
# Fleet-scale benchmarks of exstig, with ratios against STIG Manager's CKL parser measured in
# the same run, on inputs generated here (no DISA file, no real export):
#   1. one 286-rule, ~2 MB CKL: exstig read + merge + write, exstig read, quick-xml merely
#      scanning the bytes, and STIG Manager's reviewsFromCkl parsing it (node, in-process,
#      repeated to amortize start-up);
#   2. fleets of servers (5-10 connectors each) evaluated against the catalog and written as
#      CKL + CKLB + XCCDF: wall time and peak memory (/usr/bin/time -v) per fleet size;
#   3. the same fleet handed on to eMASS: `exstig poam` and `exstig emass test-results` over
#      all its CKLs (wall time each).
#
#   scripts/bench.sh           full sizes: fleets of 100, 1,000 and 10,000 servers
#   scripts/bench.sh --short   small sizes, for CI (so the script cannot rot); asserts no time
#   JOBS=2 scripts/bench.sh    limit worker threads (default: all cores)
#
# Criterion's statistics for the same operations: cargo bench --bench checklist
set -euo pipefail
cd "$(dirname "$0")/.."

short=0
[ "${1:-}" = "--short" ] && short=1
if [ "$short" = 1 ]; then
    sizes="20 60"
    ckl_iterations=5
    node_iterations=3
else
    sizes="100 1000 10000"
    ckl_iterations=100
    node_iterations=20
fi
work="${TMPDIR:-/tmp}/exstig-bench-$$"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

echo "bench: building (release)"
driver=$(cargo bench --no-run --bench fleet 2>&1 | grep -o 'target/release/deps/fleet-[0-9a-f]*' | tail -1)
cargo build --release --quiet
[ -x "$driver" ] || { echo "bench: cannot find the fleet driver" >&2; exit 1; }
echo "machine: $(nproc) cores, $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg)"

# 1. One large checklist.
"$driver" gen-ckl "$work/large.ckl"
timings=$("$driver" time-ckl "$work/large.ckl" "$ckl_iterations")
timing() { awk -v k="$1" -v f="$2" '$1 == k { print $f }' <<<"$timings"; }
full=$(timing exstig_read_merge_write_ms 2)
read_ms=$(timing exstig_read_ms 2)
scan=$(timing quick_xml_scan_ms 2)
printf '%-40s %9s ms %7s MB/s\n' "exstig read+merge+write" "$full" "$(timing exstig_read_merge_write_ms 3)"
printf '%-40s %9s ms %7s MB/s\n' "  exstig read" "$read_ms" "$(timing exstig_read_ms 3)"
printf '%-40s %9s ms\n' "  exstig merge" "$(timing exstig_merge_ms 2)"
printf '%-40s %9s ms %7s MB/s\n' "  exstig write" "$(timing exstig_write_ms 2)" "$(timing exstig_write_ms 3)"
printf '%-40s %9s ms %7s MB/s\n' "quick-xml scan (the practical limit)" "$scan" "$(timing quick_xml_scan_ms 3)"
if command -v node >/dev/null && [ -d tests/node/node_modules/@nuwcdivnpt/stig-manager-client-modules ]; then
    read -r _ peer _ < <(node scripts/stig-manager-parse-bench.mjs "$work/large.ckl" "$node_iterations")
    printf '%-40s %9s ms\n' "STIG Manager reviewsFromCkl (parse only)" "$peer"
    awk -v p="$peer" -v f="$full" -v r="$read_ms" 'BEGIN {
        printf "ratio: STIG Manager parse / exstig read+merge+write = %.1fx; / exstig read = %.1fx\n", p / f, p / r }'
else
    echo "STIG Manager reviewsFromCkl: skipped (npm ci --prefix tests/node installs it)"
fi
awk -v s="$scan" -v f="$full" 'BEGIN { printf "ratio: exstig read+merge+write / quick-xml scan = %.1fx\n", f / s }'

# 2. Fleets. The exstig binary when `evaluate` has batch mode, else the same library call.
if ./target/release/exstig evaluate --help 2>/dev/null | grep -q -- '--inventory-dir'; then
    runner="exstig evaluate --inventory-dir"
else
    runner="batch::run (fleet driver)"
fi
echo "fleet runner: $runner"
printf '%8s %10s %12s %12s %8s\n' servers seconds "peak MB" "ms/server" files
for n in $sizes; do
    inventory="$work/fleet-$n"
    out="$work/out-$n"
    "$driver" gen-fleet "$inventory" "$n" >/dev/null
    if [ "$runner" = "batch::run (fleet driver)" ]; then
        cmd=("$driver" batch "$inventory" "$out" ${JOBS:-})
    else
        cmd=(./target/release/exstig evaluate --inventory-dir "$inventory" --stig exchange-2019
            --out-dir "$out" --format ckl,cklb,xccdf --quiet ${JOBS:+--jobs "$JOBS"})
    fi
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -v "${cmd[@]}" >"$work/run.out" 2>"$work/time.txt" || true
        peak_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
        wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt" |
            awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
        peak_mb=$(awk -v k="$peak_kb" 'BEGIN { printf "%.0f", k / 1024 }')
    else
        start=$(date +%s.%N)
        "${cmd[@]}" >"$work/run.out" 2>&1 || true
        wall=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }')
        peak_mb="n/a"
    fi
    files=$(find "$out" -type f | wc -l)
    if [ "$files" -ne $((3 * n)) ]; then
        echo "bench: expected $((3 * n)) files for $n servers, got $files" >&2
        cat "$work/run.out" "$work/time.txt" 2>/dev/null | tail -20 >&2
        exit 1
    fi
    printf '%8s %10s %12s %12.2f %8s\n' "$n" "$wall" "$peak_mb" "$(awk -v w="$wall" -v n="$n" 'BEGIN { print w * 1000 / n }')" "$files"
    # 3. The eMASS hand-off of the same fleet: one POA&M and the test results per AP.
    checklists=("$out"/*.ckl)
    t0=$(date +%s.%N)
    ./target/release/exstig poam "${checklists[@]}" -o "$work/poam-$n.xlsx" 2>"$work/emass.err" || true
    t1=$(date +%s.%N)
    ./target/release/exstig emass test-results "${checklists[@]}" -o "$work/results-$n.json" \
        --tested-by "Bench, Run" 2>>"$work/emass.err" || true
    t2=$(date +%s.%N)
    if [ ! -s "$work/poam-$n.xlsx" ] || [ ! -s "$work/results-$n.json" ]; then
        echo "bench: poam or test-results failed for $n servers" >&2
        cat "$work/emass.err" >&2
        exit 1
    fi
    awk -v a="$t0" -v b="$t1" -v c="$t2" -v n="$n" 'BEGIN {
        printf "%8s  POA&M %.2f s + test results %.2f s = %.2f s\n", n, b - a, c - b, c - a }'
    rm -rf "$inventory" "$out" "$work/poam-$n.xlsx" "$work/results-$n.json"
done
echo "bench: done"
