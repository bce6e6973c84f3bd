#!/bin/bash
# The guided tour without a terminal: the same steps as narrated text, with
# mmapview --once snapshots, ending with status 0 and nothing left; each
# further program narrated on its own (--program); a program that does not
# stop where the script says is reported, not explained away; and the
# command line's refusals.
. "$(dirname "$0")/../lib.sh"

TOUR=$BIN/mmaplab-tour

# run_tour DIR ARGS...: the tour off a terminal, its output in $OUT, its
# status in $RC.  DIR is made empty; it must be empty again afterwards.
run_tour() {
    local d=$1; shift
    rm -rf "$d" && mkdir -p "$d"
    OUT=$("$TOUR" --dir "$d" "$@" </dev/null 2>&1 | cat; exit "${PIPESTATUS[0]}")
    RC=$?
}

N=$(t_name)
D=$T_SCRATCH/walk
run_tour "$D" -n "$N"
expect_eq "off a terminal the tour runs as text to the end (exit 0)" 0 "$RC"
expect_eq "all 18 steps are narrated" 18 "$(printf '%s\n' "$OUT" | grep -c '^==== Step [0-9]* of 18: ')"
expect_match "each says what is about to happen" "^What:  The Win32 first process starts with" "$OUT"
expect_match "...what to watch" "^Watch: size 256 bytes, 1 page" "$OUT"
expect_match "...and what is to be seen once it happened" "^Now:   The message crossed with no copy" "$OUT"
expect_eq "six mmapview --once snapshots" 6 "$(printf '%s\n' "$OUT" | grep -c "^---- mmapview --once $N ----$")"
expect_match "the programs' output, tagged: 01-create's shm_open" \
    "^\[first \]   shm_open\(\"$N\", O_CREAT \| O_EXCL \| O_RDWR, 0600\) = [0-9]+ " "$OUT"
expect_match "...each call paused by --step" "^\[first \]   next: memcpy\(0x[0-9a-f]+, \"Message from first process\.\", 28\)" "$OUT"
expect_match "the second process prints the first process's message" \
    "^\[second\] Message from first process\.$" "$OUT"
expect_match "a snapshot shows both processes mapping the page" "^  [0-9]+ +04-open +[0-9a-f]+-[0-9a-f]+ rw-s" "$OUT"
expect_match "...and the message in its page" "^  00000000  4d 65 73 73 61 67 65 20  66 72 6f 6d 20 66 69 72  \|Message from fir\|" "$OUT"
expect_match "05-close removes the name" "^\[second\]   shm_unlink\(\"$N\"\) = 0 " "$OUT"
expect_match "the further programs are listed" "^  11-robust-mutex +a robust process-shared mutex" "$OUT"
expect_no_match "no escape sequences" $'\x1b' "$OUT"
shm_exists "$N" && not_ok "the object is gone" || ok "the object is gone"
expect_eq "the tour's files are gone" "" "$(ls -A "$D")"

# --from: the steps before it run by themselves, unnarrated.
run_tour "$T_SCRATCH/from" -n "$N" --text --from 17
expect_eq "--from 17: runs to the end (exit 0)" 0 "$RC"
expect_match "--from 17: the narration starts at step 17" "^==== Step 17 of 18: remove the name" "$OUT"
expect_eq "--from 17: ...and only the last two steps are narrated" 2 \
    "$(printf '%s\n' "$OUT" | grep -c '^==== Step ')"
expect_no_match "--from 17: ...with none of the earlier programs' output" '^\[first \]' "$OUT"

# Each further program, narrated on its own.
for x in 06 07 08 09 10 11 12 13; do
    run_tour "$T_SCRATCH/x$x" -n "$N" --text --program "$x"
    expect_eq "--program $x: runs to its end (exit 0)" 0 "$RC"
    expect_match "--program $x: what it does, then its first hold, with a snapshot" \
        "^Hold 1: " "$OUT"
    expect_match "--program $x: ...and what it did" "^Now:   " "$OUT"
    if shm_exists "$N" || [ -n "$(ls -A "$T_SCRATCH/x$x")" ]; then
        not_ok "--program $x: nothing is left" "$(ls -A "$T_SCRATCH/x$x"; ls /dev/shm | grep "${N#/}")"
    else
        ok "--program $x: nothing is left"
    fi
done

# A program that does not stop where the script says: 02-map replaced by
# 04-open, which pauses before printf where 02-map holds.
W=$T_SCRATCH/drift
mkdir -p "$W"
cp "$BIN"/0[1-5]-* "$W"/
cp "$BIN/04-open" "$W/02-map"
OUT=$(MMAPLAB_BIN=$W "$TOUR" --text -n "$N" --dir "$T_SCRATCH/walk" </dev/null 2>&1); RC=$?
expect_eq "a program off its script: exit 1" 1 "$RC"
expect_match "...says where it stopped and what the tour expected" \
    "tour: 02-map stopped at \"before printf\(.*, not at its hold as the tour expects" "$OUT"
shm_exists "$N" && not_ok "...and leaves nothing" || ok "...and leaves nothing"

# The command line.
"$TOUR" --text --program 99 >/dev/null 2>&1
expect_eq "--program 99: usage error (2)" 2 "$?"
"$TOUR" --text -n bad/name >/dev/null 2>&1
expect_eq "a bad name: usage error (2)" 2 "$?"
"$BIN/01-create" -n "$N" >/dev/null
err=$("$TOUR" --text -n "$N" 2>&1 >/dev/null); rc=$?
expect_eq "a name that exists: refused (2)" 2 "$rc"
expect_match "...saying it leaves that object alone" "exists already.*leaves this one alone" "$err"
shm_exists "$N" && ok "...and it is still there" || not_ok "...and it is still there"
"$BIN/05-close" -q -n "$N" >/dev/null
"$TOUR" --help | grep -q "^Usage: mmaplab-tour" && ok "--help" || not_ok "--help"

done_testing
