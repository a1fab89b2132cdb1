#!/usr/bin/env bash
# make alloc-check: heap allocations per Levenberg-Marquardt iteration, counted by valgrind's DHAT.
# Each case is fitted for K and for 2K iterations (AllocationProbe: tolerances 0, the fit
# cancelled after that many accepted steps, every other setting equal); (blocks(2K) − blocks(K)) / K is the allocations per iteration
# after the first ones. Fails when any case allocates in its iterations, or stopped early.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null 2>&1 || scripts/ensure-packages.sh valgrind
swift build -c release --product AllocationProbe >/dev/null
# Valgrind 3.19 cannot read the DWARF 5 of Swift's debug info: a stripped copy is probed.
probe=$(mktemp -d)/AllocationProbe
trap 'rm -rf "$(dirname "$probe")"' EXIT
cp .build/release/AllocationProbe "$probe"
strip --strip-debug "$probe"

blocks() {  # CASE ITERATIONS -> "blocks|summary line"
    local output
    output=$(OPENBLAS_NUM_THREADS=1 valgrind --tool=dhat --dhat-out-file=/dev/null "$probe" "$1" "$2" 2>&1)
    local total summary
    total=$(grep -E '== Total:' <<<"$output" | sed -E 's/.* in ([0-9,]+) blocks.*/\1/' | tr -d ,)
    summary=$(grep -E "^$1: " <<<"$output")
    [[ -n "$total" && -n "$summary" ]] || { echo "alloc-check: no DHAT total for $1 $2:" >&2; echo "$output" | tail -5 >&2; exit 1; }
    [[ "$summary" == *"$2 iterations"*"cancelled" ]] || { echo "alloc-check: $1 stopped before $2 iterations: $summary" >&2; exit 1; }
    echo "$total|$summary"
}

status=0
printf '%-8s %5s %10s %10s %14s\n' case K "blocks(K)" "blocks(2K)" "per iteration"
for spec in "seed-lm 20" "formula 3" "scale 1"; do
    read -r name k <<<"$spec"
    first=$(blocks "$name" "$k"); second=$(blocks "$name" $((2 * k)))
    b1=${first%%|*}; b2=${second%%|*}
    per=$(awk -v a="$b1" -v b="$b2" -v k="$k" 'BEGIN { printf "%.2f", (b - a) / k }')
    printf '%-8s %5d %10d %10d %14s\n' "$name" "$k" "$b1" "$b2" "$per"
    if (( b2 != b1 )); then status=1; fi
done
if (( status != 0 )); then echo "alloc-check: some iterations allocate (see the table)" >&2; fi
exit $status
