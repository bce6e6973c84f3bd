#!/bin/bash
# A classroom: 30 walkthroughs at once on distinct names all pass, and 5
# programs racing to create one name: exactly one wins, the rest get the
# explained EEXIST.  Nothing is left in /dev/shm.
. "$(dirname "$0")/../lib.sh"

# One student's walkthrough, in its own subshell; prints "pass" or why not.
student() {
    local n=$1 tr=$T_SCRATCH/student-${1##*-}.jsonl f=/dev/shm/${1#/} fifo=$T_SCRATCH/fifo-${1##*-}
    "$BIN/01-create" -n "$n" >/dev/null 2>&1 || { echo "01 failed"; return; }
    mkfifo "$fifo"
    "$BIN/03-copy" -n "$n" -m "message for $n" --trace "$tr" <"$fifo" >/dev/null 2>&1 &
    local first=$!
    exec {fd}>"$fifo"
    "$TOOLS/tracecheck" wait "$tr" --prog 03-copy --event hold --timeout 60 || { echo "no hold"; return; }
    local out
    out=$("$BIN/04-open" -n "$n" --no-hold 2>&1)
    echo >&$fd
    exec {fd}>&-
    wait $first || { echo "03 failed"; return; }
    grep -qx "message for $n" <<<"$out" || { echo "04 read the wrong message"; return; }
    "$BIN/05-close" -n "$n" >/dev/null 2>&1 || { echo "05 failed"; return; }
    [ ! -e "$f" ] || { echo "left $f"; return; }
    echo pass
}

names=()
for i in $(seq 30); do names+=("$(t_name)"); done
for n in "${names[@]}"; do
    student "$n" > "$T_SCRATCH/result-${n##*-}" &
    t_bg $!
done
wait
passes=$(cat "$T_SCRATCH"/result-* | grep -c '^pass$')
expect_eq "30 walkthroughs at once on distinct names all pass" 30 "$passes"
[ "$passes" = 30 ] || cat "$T_SCRATCH"/result-* | grep -v '^pass$' | sed 's/^/# /'

# Five programs racing to create one name.
N=$(t_name)
for i in 1 2 3 4 5; do
    ( "$BIN/01-create" -n "$N" >"$T_SCRATCH/race-$i.out" 2>&1; echo $? >"$T_SCRATCH/race-$i.rc" ) &
done
wait
wins=$(cat "$T_SCRATCH"/race-*.rc | grep -c '^0$')
losses=$(cat "$T_SCRATCH"/race-*.rc | grep -c '^1$')
expect_eq "5 racing to create one name: exactly one wins, four fail" "1 4" "$wins $losses"
explained=$(grep -l "shm_open failed: EEXIST" "$T_SCRATCH"/race-*.out | xargs grep -l "owned by $(id -un)" | wc -l)
expect_eq "every loser gets the explained EEXIST" 4 "$explained"
"$BIN/05-close" -n "$N" >/dev/null 2>&1
left=$(ls /dev/shm | grep -c "^$PREFIX-$SUITE-" || true)
expect_eq "nothing is left in /dev/shm" 0 "$left"

done_testing
