#!/bin/bash
# SIGINT and SIGTERM during a hold: the program dies of the signal as the
# shell expects (128+N), records its exit, and leaves the object whole and
# usable: 04-open still reads the message, 05-close still removes it.
. "$(dirname "$0")/../lib.sh"

TC=$TOOLS/tracecheck

for sig in INT TERM; do
    N=$(t_name); TR=$(t_trace); F=/dev/shm/${N#/}
    num=$(kill -l "$sig")
    "$BIN/01-create" -n "$N" >/dev/null
    # A script's background job inherits SIGINT ignored, as a program started
    # with & from a shell without job control does; a student's foreground
    # program does not, so restore the default first.
    start_held first env --default-signal=INT "$BIN/03-copy" -n "$N" -m "still here after SIG$sig" --trace "$TR"
    wait_event "$TR" 03-copy hold || not_ok "03-copy reaches its hold point" "$(err_of first)"
    kill -s "$sig" "$(pid_of first)"
    wait_exit "$(pid_of first)"
    expect_eq "SIG$sig during the hold: exit status 128+$num" $((128 + num)) "$T_STATUS"
    expect_eq "SIG$sig: the trace records the exit with that status" "$((128 + num)) SIG$sig" \
        "$("$TC" get "$TR" --event exit status) $("$TC" get "$TR" --event exit message)"
    expect_match "SIG$sig: the program says what stays" "stopped by SIG$sig; .*05-close removes it" "$(err_of first)"
    check "SIG$sig: the trace is still well-formed" "$TC" validate "$TR"
    check "SIG$sig: the object is still there" test -f "$F"
    out=$("$BIN/04-open" -n "$N" --no-hold 2>&1)
    expect_match "SIG$sig: 04-open still reads the whole message" "^still here after SIG$sig\$" "$out"
    "$BIN/05-close" -n "$N" >/dev/null 2>&1
    expect_eq "SIG$sig: 05-close then removes it" "0 gone" "$? $(test -e "$F" || echo gone)"
done

# A program started with SIGINT ignored (nohup, a background job) keeps it
# ignored: Ctrl-C meant for the shell does not stop it.
N=$(t_name); TR=$(t_trace)
"$BIN/01-create" -n "$N" >/dev/null
start_held bg env --ignore-signal=INT "$BIN/03-copy" -n "$N" --trace "$TR"
wait_event "$TR" 03-copy hold || not_ok "03-copy reaches its hold point" "$(err_of bg)"
kill -INT "$(pid_of bg)"
finish bg
expect_eq "a program that inherited SIGINT ignored is not stopped by it" 0 "$T_STATUS"
"$BIN/05-close" -n "$N" >/dev/null 2>&1

# A hold at end of input goes on: a program run with </dev/null finishes.
N=$(t_name); TR=$(t_trace)
"$BIN/01-create" -n "$N" >/dev/null
"$BIN/03-copy" -n "$N" --trace "$TR" </dev/null >/dev/null 2>&1
expect_eq "at end of input the hold goes on and the program exits 0" 0 "$?"
expect_eq "...recording the resume as end of input" "end of input" \
    "$("$TC" get "$TR" --event resume message)"
"$BIN/05-close" -n "$N" >/dev/null 2>&1

mkfifo "$T_SCRATCH/never"
exec {never_fd}<>"$T_SCRATCH/never"

# A program that made its own object or file and is stopped at its hold
# takes it back before it dies: nothing is left half-made.
for p in 07-file-pages 09-reserve-grow; do
    N=$(t_name); TR=$(t_trace); D=$T_SCRATCH/dir-$p
    mkdir -p "$D"
    # (only this suite's names: other runs may come and go meanwhile)
    before=$(ls /dev/shm | grep "^$PREFIX-$SUITE-" | sort)
    ( cd "$D" && exec env --default-signal=INT "$BIN/$p" -n "$N" --trace "$TR" ) \
        <"$T_SCRATCH/never" >"$T_SCRATCH/$p.out" 2>&1 &
    pid=$!; t_bg $pid
    if wait_event "$TR" "$p" hold; then
        kill -INT "$pid"
        wait_exit "$pid"
        expect_eq "$p stopped by SIGINT at its hold exits 130" 130 "$T_STATUS"
        expect_match "$p says it removed what it made" "removed again: nothing is left behind" \
            "$(cat "$T_SCRATCH/$p.out")"
        expect_eq "$p leaves no object in /dev/shm" "$before" "$(ls /dev/shm | grep "^$PREFIX-$SUITE-" | sort)"
        expect_eq "$p leaves no file in its directory" "" "$(ls "$D")"
    else
        not_ok "$p reaches its hold point" "$(cat "$T_SCRATCH/$p.out")"
    fi
done

done_testing
