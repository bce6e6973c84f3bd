#!/bin/bash
# files-safety: no planted link followed, nothing deleted that a run did not
# make, never blocked by a FIFO.  The attacker is an unprivileged user
# (mmaplab-t-fs, made here if absent and removed again) who plants links
# and files in a sticky world-writable directory of their own; the teacher
# is root.  Checked from outside: the victim files' bytes, what is left in
# the directories, exit statuses, and that nothing hangs (timeout).
. "$(dirname "$0")/../lib.sh"

TC=$TOOLS/tracecheck
ATT=mmaplab-t-fs
made_user=
fs_cleanup() {
    [ -n "$made_user" ] && userdel "$ATT" 2>/dev/null
    t_cleanup
}
trap fs_cleanup EXIT

if ! is_root; then
    skip "files-safety" "the two-user checks need root (to be the teacher and make the attacker)"
    stop_here
fi
if ! id "$ATT" >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "$ATT" && made_user=1
fi
attacker() { as_user "$ATT" "$@"; }

# The attacker's sticky, world-writable directory (like a shared drop
# directory a teacher runs the programs in), and root's files to protect.
S=$T_SCRATCH/shared
mkdir "$S" && chown "$ATT" "$S" && chmod 1777 "$S"
VICTIM=$T_SCRATCH/victim
printf 'precious root data\n' > "$VICTIM"; chmod 600 "$VICTIM"
victim_ok() { [ "$(cat "$VICTIM")" = "precious root data" ]; }

# ---- 10-mapped-array -o: never through a planted link, never truncating ----
attacker ln -s "$VICTIM" "$S/mmaplab-array.npy"
out=$(cd "$S" && "$BIN/10-mapped-array" --no-hold --count 16 2>&1); rc=$?
expect_eq "10-mapped-array refuses the planted mmaplab-array.npy link (exit 1)" 1 "$rc"
check "...its target, root's file, is untouched" victim_ok
check "...and the link is not removed (it is not the run's)" test -L "$S/mmaplab-array.npy"
expect_match "...the hint names the link and who made it" \
    "mmaplab-array.npy is a symbolic link, made by $ATT" "$out"
expect_match "...the rule and the next step" "never truncates or follows what it finds.*-o FILE" "$out"
rm -f "$S/mmaplab-array.npy"

printf 'a file of mine\n' > "$S/mine.npy"
out=$(cd "$S" && "$BIN/10-mapped-array" --no-hold --count 16 -o mine.npy 2>&1); rc=$?
expect_eq "-o naming a file that exists: refused (exit 1)" 1 "$rc"
expect_eq "...and the file is not truncated" "a file of mine" "$(cat "$S/mine.npy")"
rm -f "$S/mine.npy"

out=$(cd "$S" && "$BIN/10-mapped-array" --no-hold --count 16 -o new.npy 2>&1); rc=$?
expect_eq "-o naming a new file: made (exit 0)" 0 "$rc"
expect_eq "...and it stays, the NPY magic first" "NUMPY" "$(head -c 6 "$S/new.npy" | tail -c 5)"
rm -f "$S/new.npy"

# ---- 10-mapped-array --read FIFO: refused at once -----------------------
mkfifo "$T_SCRATCH/fifo.npy"
out=$(timeout 10 "$BIN/10-mapped-array" --read "$T_SCRATCH/fifo.npy" 2>&1); rc=$?
expect_eq "--read FIFO: refused without waiting for a writer (exit 1, not the timeout)" 1 "$rc"
expect_match "...saying what it is" "fifo.npy is a FIFO \(named pipe\), not a regular file: an NPY file is a regular file" "$out"

# ---- 07-file-pages: the second process gets the file the first made -------
# --step pauses the second process before its open by path; the attacker
# swaps the file then.  run07 SWAP: SWAP is run as the attacker at that moment.
run07() {
    local swap=$1 tr i cp
    tr=$(t_trace)
    start_held p07 "$BIN/07-file-pages" --step -d "$S" -m "secret message" --trace "$tr"
    cp=
    for i in $(seq 1 12); do
        wait_event "$tr" 07-file-pages hold "$i" 10 || break
        cp=$("$TC" get "$tr" --call fork ret 2>/dev/null)
        [ -n "$cp" ] && [ "$("$TC" count "$tr" --pid "$cp" --event hold)" -ge 1 ] && break
        release p07
    done
    if [ -z "$cp" ]; then
        not_ok "07-file-pages --step reaches the second process's open" "$(out_of p07; err_of p07)"
        finish p07
        return
    fi
    attacker sh -c "$swap"
    # Let it run on, pausing or not, to its end.
    for i in $(seq 1 40); do
        kill -0 "$(pid_of p07)" 2>/dev/null || break
        release p07; sleep 0.05
    done
    finish p07
}

run07 "rm -f '$S/mmaplab-pages.dat' && ln -s '$VICTIM' '$S/mmaplab-pages.dat'"
expect_eq "07: a link swapped in before the second open: it stops (exit 1)" 1 "$T_STATUS"
check "...the link's target, root's file, did not get the message" victim_ok
expect_match "...O_NOFOLLOW refused the link, and the hint says so" \
    "mmaplab-pages.dat is a symbolic link, made by $ATT.*O_NOFOLLOW" "$(err_of p07)"
check "...the planted link is left alone (not the run's to remove)" test -L "$S/mmaplab-pages.dat"
rm -f "$S/mmaplab-pages.dat"

run07 "rm -f '$S/mmaplab-pages.dat' && printf 'attacker file' > '$S/mmaplab-pages.dat'"
expect_eq "07: another file swapped in before the second open: it stops (exit 1)" 1 "$T_STATUS"
expect_eq "...that file did not get the message" "attacker file" "$(cat "$S/mmaplab-pages.dat")"
expect_match "...the second process says it is not the file the first made" \
    "is no longer the file the first process made" "$(err_of p07)"
rm -f "$S/mmaplab-pages.dat"

# ---- 08-private-cow: it removes by name only the file it made -------------
# The file is swapped while the program holds after its write; at its end it
# must not delete the attacker's file that now has the name.
tr=$(t_trace)
start_held p08 "$BIN/08-private-cow" -d "$S" --trace "$tr"
if wait_event "$tr" 08-private-cow hold 1 20 && release p08 &&
   wait_event "$tr" 08-private-cow hold 2 20; then
    attacker sh -c "rm -f '$S/mmaplab-cow.dat' && printf 'attacker file' > '$S/mmaplab-cow.dat'"
    finish p08
    expect_eq "08: the file swapped before its final unlink: it stops (exit 1)" 1 "$T_STATUS"
    expect_eq "...and the attacker's file is still there, as it was" "attacker file" \
        "$(cat "$S/mmaplab-cow.dat" 2>&1)"
    expect_match "...saying it is not the file this run made" \
        "mmaplab-cow.dat is no longer the file this run made: it is left alone" "$(err_of p08)"
else
    not_ok "08-private-cow reaches its second hold" "$(out_of p08; err_of p08)"
    finish p08
fi
rm -f "$S/mmaplab-cow.dat"

# ---- the per-user trace: a FIFO or someone else's file there --------------
X=$T_SCRATCH/xdg; mkdir -m 700 "$X" "$X/mmaplab"
mkfifo "$X/mmaplab/trace.jsonl"
N=$(t_name)
out=$(env -u MMAPLAB_TRACE XDG_RUNTIME_DIR="$X" timeout 10 "$BIN/01-create" -q -n "$N" 2>&1); rc=$?
expect_eq "a FIFO as the per-user trace: the program runs on (exit 0, not the timeout)" 0 "$rc"
expect_match "...and says why the trace is off" "trace.jsonl is a FIFO \(named pipe\), not a regular file" "$out"
"$BIN/05-close" -q -n "$N" >/dev/null 2>&1
rm -f "$X/mmaplab/trace.jsonl"
install -o "$ATT" -m 666 /dev/null "$X/mmaplab/trace.jsonl"
out=$(env -u MMAPLAB_TRACE XDG_RUNTIME_DIR="$X" timeout 10 "$BIN/01-create" -q -n "$N" 2>&1); rc=$?
expect_eq "someone else's trace.jsonl in the per-user directory: the program runs on" 0 "$rc"
expect_eq "...and root's trace is not written into it" 0 "$(stat -c %s "$X/mmaplab/trace.jsonl")"
expect_match "...saying whose it is" "trace.jsonl belongs to uid $(id -u "$ATT"), not to you" "$out"
"$BIN/05-close" -q -n "$N" >/dev/null 2>&1
out=$(timeout 10 "$BIN/01-create" -q -n "$N" --trace "$T_SCRATCH/fifo.npy" 2>&1); rc=$?
expect_eq "--trace FIFO: refused without waiting (exit 0, not the timeout)" 0 "$rc"
expect_match "...saying a FIFO is never taken" "fifo.npy is a FIFO \(named pipe\), not a regular file" "$out"
"$BIN/05-close" -q -n "$N" >/dev/null 2>&1
out=$(timeout 10 "$BIN/01-create" -q -n "$N" --trace /dev/null 2>&1); rc=$?
expect_eq "--trace /dev/null (a character device) is taken: exit 0" 0 "$rc"
expect_no_match "...with no warning" "warning" "$out"
"$BIN/05-close" -q -n "$N" >/dev/null 2>&1

# ---- a link planted in /dev/shm is named as a link ------------------------
N=$(t_name)
attacker ln -s "$VICTIM" "/dev/shm/${N#/}"
out=$("$BIN/01-create" -n "$N" 2>&1); rc=$?
expect_eq "01-create over a planted /dev/shm link: refused (exit 1)" 1 "$rc"
expect_match "...the hint names the link and its maker" "/dev/shm/${N#/} is a symbolic link, made by $ATT" "$out"
expect_no_match "...never 'you made it earlier'" "you made" "$out"
out=$("$BIN/04-open" -n "$N" --no-hold </dev/null 2>&1)
expect_match "04-open: ELOOP, explained as a planted link" "symbolic link, made by $ATT.*never follows a link" "$out"
out=$("$BIN/05-close" -n "$N" 2>&1)
expect_match "05-close: the same" "symbolic link, made by $ATT" "$out"
check "...and the link is still there, the target untouched" test -L "/dev/shm/${N#/}" -a "$(cat "$VICTIM")" = "precious root data"
out=$("$BIN/mmapview" --once "$N" 2>&1)
expect_match "mmapview names the link" "/dev/shm/${N#/} is a symbolic link made by $ATT, not a shared memory object" "$out"
expect_no_match "...and does not say 'no such object yet'" "no such object yet" "$out"
rm -f "/dev/shm/${N#/}"

# ---- mmapview --file on what is not a regular file -----------------------
for t in "$T_SCRATCH:a directory" "$T_SCRATCH/fifo.npy:a FIFO" "/dev/null:a character device"; do
    p=${t%%:*} what=${t#*:}
    out=$(timeout 10 "$BIN/mmapview" --once --file "$p" 2>&1); rc=$?
    expect_eq "mmapview --file on $what: bad input (exit 2)" 2 "$rc"
    expect_match "...says it is $what and cannot be shown" "$p is $what.*cannot show" "$out"
done

# ---- mmaplab-tour --dir: only what this run made is removed ---------------
D=$T_SCRATCH/tourdir; mkdir "$D"
for f in trace.jsonl mmaplab-array.npy mmaplab-pages.dat; do echo "mine: $f" > "$D/$f"; done
N=$(t_name)
timeout 60 "$BIN/mmaplab-tour" --text -n "$N" --dir "$D" </dev/null >/dev/null 2>&1
for f in trace.jsonl mmaplab-array.npy mmaplab-pages.dat; do
    expect_eq "the tour stopped by an existing trace.jsonl leaves the user's $f" "mine: $f" "$(cat "$D/$f" 2>&1)"
done
rm -f "$D/trace.jsonl"
timeout 120 "$BIN/mmaplab-tour" --text -n "$N" --program 07 --dir "$D" </dev/null >/dev/null 2>&1
expect_eq "the tour whose 07 found the user's mmaplab-pages.dat leaves it" "mine: mmaplab-pages.dat" "$(cat "$D/mmaplab-pages.dat" 2>&1)"
timeout 120 "$BIN/mmaplab-tour" --text -n "$N" --program 10 --dir "$D" </dev/null >/dev/null 2>&1
expect_eq "...and whose 10 found the user's mmaplab-array.npy leaves it" "mine: mmaplab-array.npy" "$(cat "$D/mmaplab-array.npy" 2>&1)"
check "...and removed the trace it made" test ! -e "$D/trace.jsonl"
rm -f "$D"/*
timeout 120 "$BIN/mmaplab-tour" --text -n "$N" --program 10 --dir "$D" </dev/null >/dev/null 2>&1
expect_eq "a tour of 10 in an empty --dir removes what it made: nothing is left" "" "$(ls -A "$D")"

done_testing
