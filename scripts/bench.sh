#!/usr/bin/env bash
# Fleet-scale benchmarks of exstig, with ratios against STIG Manager's CKL parser measured in
# the same run, on inputs generated here (no DISA file, no real export):
#   1. one 286-rule, ~2 MB CKL: exstig read + merge + write, exstig read, quick-xml merely
#      scanning the bytes, and STIG Manager's reviewsFromCkl parsing it (node, in-process,
#      repeated to amortize start-up);
#   2. one server: the EDGE02 and MBX02 fixtures (bundle and CliXML) read, evaluated against
#      the matching catalog STIG and written as CKL + CKLB + XCCDF, in-process (median of many
#      runs) and as a whole `exstig evaluate` process, against the 50 ms goal;
#   3. fleets of complete servers (every kind of object, the counts of a large server;
#      benches/support/mod.rs FLEET_COUNTS), Edge and Mailbox alternating, evaluated against
#      the catalog (--stig exchange-2019) and written as CKL + CKLB + XCCDF: wall time, CPU time
#      and peak memory (/usr/bin/time -v) per fleet size; 1,000 servers against the 10 s / 200 MB
#      goal.
#   4. the same fleet handed on to eMASS: `exstig poam` and `exstig emass test-results` over
#      all its CKLs (wall time each).
#
#   scripts/bench.sh           full sizes: fleets of 100 and 1,000 servers
#   scripts/bench.sh --short   small sizes, for CI (so the script cannot rot); asserts no time
#   JOBS=2 scripts/bench.sh    limit worker threads (default: all cores)
#   SIZES="1000 10000" scripts/bench.sh   other fleet sizes
#
# Criterion's statistics for the same operations: cargo bench --bench checklist
set -euo pipefail
cd "$(dirname "$0")/.."

short=0
[ "${1:-}" = "--short" ] && short=1
if [ "$short" = 1 ]; then
    sizes="${SIZES:-20 60}"
    ckl_iterations=5
    node_iterations=3
else
    sizes="${SIZES:-100 1000}"
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

# 2. One server (goal: < 50 ms), written to disk like a real run (synced files).
if [ "$short" = 1 ]; then server_iterations=3; process_runs=2; else server_iterations=50; process_runs=20; fi
echo "one server: read + evaluate + write CKL, CKLB, XCCDF (median of $server_iterations in-process runs; whole process: mean of $process_runs)"
printf '%-26s %7s %8s %8s %8s %8s %8s %10s %8s\n' input objects "read" evaluate render write total process "goal"
for input in EDGE02.bundle.json EDGE02.clixml.xml MBX02.bundle.json MBX02.clixml.xml; do
    case "$input" in EDGE*) stig=exchange-2019-edge ;; *) stig=exchange-2019-mailbox ;; esac
    file="fixtures/inventory/$input"
    server=$("$driver" time-server "$stig" "$server_iterations" "$work/server" "$file")
    step() { awk -v k="server_$1" '$1 == k { print $2 }' <<<"$server"; }
    start=$(date +%s%N)
    for _ in $(seq "$process_runs"); do
        ./target/release/exstig evaluate "$file" --stig "$stig" --ckl "$work/p.ckl" \
            --cklb "$work/p.cklb" --xccdf "$work/p.xml" 2>"$work/p.err" || { cat "$work/p.err" >&2; exit 1; }
    done
    process=$(awk -v s="$start" -v e="$(date +%s%N)" -v n="$process_runs" 'BEGIN { printf "%.2f", (e - s) / n / 1e6 }')
    printf '%-26s %7s %8s %8s %8s %8s %8s %10s %7.2fx\n' "$input" "$(step objects)" "$(step read_ms)" \
        "$(step evaluate_ms)" "$(step render_ms)" "$(step write_ms)" "$(step total_ms)" "$process" \
        "$(awk -v p="$process" 'BEGIN { print p / 50 }')"
done
echo "(ms; goal = whole process / 50 ms, below 1 meets it)"

# 3. Fleets. The exstig binary when `evaluate` has batch mode, else the same library call.
if ./target/release/exstig evaluate --help 2>/dev/null | grep -q -- '--inventory-dir'; then
    runner="exstig evaluate --inventory-dir"
else
    runner="batch::run (fleet driver)"
fi
echo "fleet runner: $runner; complete servers (every kind, counts of benches/support FLEET_COUNTS), Edge and Mailbox alternating"
printf '%8s %10s %10s %12s %12s %8s %10s\n' servers seconds "cpu s" "peak MB" "ms/server" files "inputs MB"
goal_line=
for n in $sizes; do
    inventory="$work/fleet-$n"
    out="$work/out-$n"
    "$driver" gen-fleet "$inventory" "$n" >/dev/null
    inputs_mb=$(du -sm "$inventory" | cut -f1)
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
        cpu=$(awk -F': ' '/(User|System) time/ { s += $2 } END { printf "%.2f", s }' "$work/time.txt")
    else
        start=$(date +%s.%N)
        "${cmd[@]}" >"$work/run.out" 2>&1 || true
        wall=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }')
        peak_mb="n/a"
        cpu="n/a"
    fi
    files=$(find "$out" -type f | wc -l)
    if [ "$files" -ne $((3 * n)) ]; then
        echo "bench: expected $((3 * n)) files for $n servers, got $files" >&2
        cat "$work/run.out" "$work/time.txt" 2>/dev/null | tail -20 >&2
        exit 1
    fi
    printf '%8s %10s %10s %12s %12.2f %8s %10s\n' "$n" "$wall" "$cpu" "$peak_mb" \
        "$(awk -v w="$wall" -v n="$n" 'BEGIN { print w * 1000 / n }')" "$files" "$inputs_mb"
    if [ "$n" = 1000 ]; then
        goal_line=$(awk -v w="$wall" -v c="$cpu" -v m="$peak_mb" -v j="${JOBS:-$(nproc)}" 'BEGIN {
            printf "goal 1,000 servers on 2 cores: wall %.1f s / 10 s = %.2fx, CPU %s s / 2 cores = %s s; peak %s MB / 200 MB = %s (%s jobs)",
                w, w / 10, c, (c == "n/a" ? "n/a" : sprintf("%.1f", c / 2)), m,
                (m == "n/a" ? "n/a" : sprintf("%.2fx", m / 200)), j }')
    fi
    # 4. The eMASS hand-off of the same fleet: one POA&M and the test results per AP.
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
[ -n "$goal_line" ] && echo "$goal_line"
echo "load after the fleets: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "bench: done"
