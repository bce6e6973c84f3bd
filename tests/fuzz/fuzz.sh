#!/bin/bash
# The NPY header parser under libFuzzer (tests/fuzz/fuzz.mk): every seed
# once, then a short run from the seeds.  `make fuzz` runs longer.
# MMAPLAB_FUZZ_SECONDS sets the length of the short run (default 10).
. "$(dirname "$0")/../lib.sh"

F=$ROOT/build/fuzz/fuzz_npy
SEEDS=$ROOT/tests/fuzz/corpus
if [ ! -x "$F" ]; then
    if ! need_tool clang; then
        skip "fuzz the NPY header parser" "clang is not installed (sudo apt-get install clang)"
    else
        skip "fuzz the NPY header parser" "build/fuzz/fuzz_npy was not built (make test-programs; does clang have libFuzzer?)"
    fi
    stop_here
fi

# A crash leaves its input in $T_SCRATCH: show it, since the scratch goes.
show_crash() {
    local c
    for c in "$T_SCRATCH"/crash-* "$T_SCRATCH"/leak-* "$T_SCRATCH"/timeout-*; do
        [ -e "$c" ] && { echo "input $(basename "$c"):"; od -An -c "$c" | head -n 20; }
    done
}

out=$("$F" -artifact_prefix="$T_SCRATCH/" "$SEEDS"/* 2>&1); rc=$?
if [ $rc -eq 0 ]; then ok "every seed input runs clean ($(ls "$SEEDS" | wc -l) files)"
else not_ok "every seed input runs clean" "$(printf '%s\n' "$out" | tail -n 30)" "$(show_crash)"; fi

mkdir -p "$T_SCRATCH/corpus"
secs=${MMAPLAB_FUZZ_SECONDS:-10}
out=$("$F" -max_total_time="$secs" -dict="$ROOT/tests/fuzz/npy.dict" \
      -artifact_prefix="$T_SCRATCH/" -print_final_stats=1 \
      "$T_SCRATCH/corpus" "$SEEDS" 2>&1); rc=$?
runs=$(printf '%s\n' "$out" | sed -n 's/^stat::number_of_executed_units: *//p')
if [ $rc -eq 0 ] && [ "${runs:-0}" -gt 1000 ]; then
    ok "a ${secs}s fuzz run of the NPY header parser finds nothing ($runs inputs)"
else
    not_ok "a ${secs}s fuzz run of the NPY header parser finds nothing" \
        "exit $rc after ${runs:-?} inputs" "$(printf '%s\n' "$out" | tail -n 40)" "$(show_crash)"
fi

done_testing
