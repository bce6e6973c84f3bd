#!/bin/bash
# The two tracks tell the same walkthrough: the POSIX programs (01-create,
# 03-copy holding, 04-open holding, 05-close) and the Win32 ones under Wine
# (first-process holding, second-process holding) are run the same way, and
# one checker accepts both traces: the same sequence of steps (POSIX adds
# unlink), each call paired with its counterpart.  And the lifetime
# difference seen side by side: the POSIX name outlives its creator until
# shm_unlink; the Win32 name does not outlive its last handle.
. "$(dirname "$0")/wine.sh"

w_ready || stop_here
TC=$TOOLS/tracecheck
missing=
for p in 01-create 03-copy 04-open 05-close; do
    [ -x "$BIN/$p" ] || missing="$missing $p"
done
if [ -n "$missing" ] || [ ! -x "$TC" ]; then
    not_ok "the POSIX walkthrough and tracecheck are built" \
        "missing:$missing $([ -x "$TC" ] || echo "$TC")" "run: make programs test-programs"
    stop_here
fi
w_prefix || stop_here

N=$(t_name)
MSG="Hello from both tracks, $$"

# ---- the POSIX walkthrough -------------------------------------------------
PT=$(t_trace)
"$BIN/01-create" -n "$N" --trace "$PT" >/dev/null 2>&1
expect_eq "01-create makes the object" 0 "$?"
start_held pfirst "$BIN/03-copy" -n "$N" -m "$MSG" --trace "$PT"
wait_event "$PT" 03-copy hold || not_ok "03-copy holds" "$(out_of pfirst)" "$(err_of pfirst)"
start_held psecond "$BIN/04-open" -n "$N" --trace "$PT"
wait_event "$PT" 04-open hold || not_ok "04-open holds" "$(out_of psecond)" "$(err_of psecond)"
expect_match "04-open reads the message" "^$MSG\$" "$(out_of psecond)"
finish psecond
expect_eq "04-open exits 0" 0 "$T_STATUS"
finish pfirst
expect_eq "03-copy exits 0" 0 "$T_STATUS"

# The lifetime, POSIX side: both programs are gone, the name is not.
out=$("$BIN/04-open" -n "$N" --no-hold --trace "$(t_trace)" 2>&1); rc=$?
expect_eq "POSIX: after its creator and every user exited, the name still opens" 0 "$rc"
expect_match "...and the message is still in it" "^$MSG\$" "$out"
check "...it is still in /dev/shm" shm_exists "$N"
"$BIN/05-close" -n "$N" --trace "$PT" >/dev/null 2>&1
expect_eq "05-close unlinks it" 0 "$?"
check "...and only then is the name gone" test ! -e "/dev/shm/${N#/}"

# ---- the Win32 walkthrough, run the same way --------------------------------
WT=$(t_trace); WWT=$(w_path "$WT")
start_held wfirst w_exec first-process.exe -n "$N" -m "$MSG" --trace "$WWT"
w_wait_event "$WT" first-process hold 1 60 ||
    not_ok "first-process holds" "$(w_out wfirst)" "$(w_errof wfirst)"
start_held wsecond w_exec second-process.exe -n "$N" --trace "$WWT"
w_wait_event "$WT" second-process hold 1 60 ||
    not_ok "second-process holds" "$(w_out wsecond)" "$(w_errof wsecond)"
expect_match "second-process reads the message" "^$MSG\$" "$(w_out wsecond)"
finish wsecond 60
expect_eq "second-process exits 0" 0 "$T_STATUS"
finish wfirst 60
expect_eq "first-process exits 0" 0 "$T_STATUS"

# The lifetime, Win32 side: the last handle is closed, so is the name.
out=$(w_run second-process.exe -n "$N" --no-hold --trace "$(w_path "$(t_trace)")"); rc=$?
expect_eq "Win32: after the last handle closed, the name is gone (exit 1)" 1 "$rc"
expect_match "...OpenFileMapping: ERROR_FILE_NOT_FOUND (2), with no unlink ever called" \
    "= NULL  GetLastError\(\) = 2 ERROR_FILE_NOT_FOUND" "$out"

# ---- one checker, both traces ---------------------------------------------
check "the POSIX trace is valid" "$TC" validate "$PT"
check "the Win32 trace is valid" "$TC" validate "$WT"
expect_eq "the POSIX steps" "create open map copy read unmap close" "$("$TC" steps "$PT")"
expect_eq "the Win32 steps: the same" "create open map copy read unmap close" "$("$TC" steps "$WT")"
check "tracecheck compare accepts the two tracks: same steps, every call paired" \
    "$TC" compare "$PT" "$WT"
# The README's lab flow, with 02-map before 03-copy, tells the same story.
N2=$(t_name); LT=$(t_trace)
for p in 01-create 02-map 03-copy 04-open 05-close; do
    "$BIN/$p" -n "$N2" --no-hold --trace "$LT" </dev/null >/dev/null 2>&1
done
check "...and so does the README's lab flow, 02-map included" "$TC" compare "$LT" "$WT"
expect_eq "the POSIX track adds unlink, which the Win32 track has no call for" \
    "unlink 0" \
    "$("$TC" get "$PT" step --call shm_unlink) $("$TC" count "$WT" --step unlink)"

# The checker is not a rubber stamp: a Win32 run in another order (the
# second process after the first has gone) does not tell the same story.
BT=$(t_trace); BWT=$(w_path "$BT")
w_run first-process.exe -n "$N" -m "$MSG" --no-hold --trace "$BWT" >/dev/null
w_run second-process.exe -n "$N" --no-hold --trace "$BWT" >/dev/null
if "$TC" compare "$PT" "$BT" >"$T_SCRATCH/cmp.out" 2>&1; then
    not_ok "tracecheck compare refuses a Win32 run whose second process came too late" \
        "it accepted: $("$TC" steps "$BT")"
else
    ok "tracecheck compare refuses a Win32 run whose second process came too late"
fi

done_testing
