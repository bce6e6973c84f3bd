#!/bin/bash
# The narration is what the kernel saw: every program, on its default path
# and on the error paths the tests take, runs under strace -f; each call its
# trace records is held against the system calls strace recorded for the
# same process (tests/tools/stracecmp.pl): the same call, arguments and
# result.  Library functions that make no system call of their own
# (memcpy, the pthread_mutex_* of 11) are counted, not compared.
. "$(dirname "$0")/../lib.sh"
CMP=$ROOT/tests/tools/stracecmp.pl

if ! need_tool strace; then
    skip "narration against strace" "strace is not installed (sudo apt-get install strace)"
    stop_here
fi
if ! perl -MJSON::PP -e 1 2>/dev/null; then
    skip "narration against strace" "perl's JSON::PP is missing (sudo apt-get install perl)"
    stop_here
fi

# traced DESC PROG ARGS...: run it under strace, then compare.
traced() {
    local desc=$1 prog=$2; shift 2
    local TR ST out
    TR=$(t_trace); ST=$T_SCRATCH/strace-$(t_next)
    (cd "$T_SCRATCH" && strace -f -qq -s 4096 -o "$ST" "$BIN/$prog" --trace "$TR" "$@" \
        </dev/null >/dev/null 2>&1)
    if [ ! -s "$TR" ]; then
        not_ok "$desc: the narration is what the kernel saw" "no trace was written"
        return
    fi
    if out=$("$TOOLS/tracecheck" pairs "$TR" 2>&1); then
        ok "$desc: every process in the trace has its start and its exit"
    else
        not_ok "$desc: every process in the trace has its start and its exit" "$out"
    fi
    if out=$(perl "$CMP" "$TR" "$ST" 2>&1); then
        ok "$desc: the narration is what the kernel saw ($(tail -n 1 <<<"$out"))"
    else
        not_ok "$desc: the narration is what the kernel saw" "$(grep -v '^ok ' <<<"$out")"
    fi
}

N=$(t_name)
traced "01-create" 01-create -n "$N"
traced "01-create on a name that is taken (EEXIST)" 01-create -n "$N"
traced "02-map" 02-map -n "$N" --no-hold
traced "03-copy" 03-copy -n "$N" --no-hold
traced "04-open" 04-open -n "$N" --no-hold
traced "05-close" 05-close -n "$N" --no-hold
traced "04-open with no object (ENOENT)" 04-open -n "$N" --no-hold
traced "05-close with no object (ENOENT)" 05-close -n "$N" --no-hold
for p in 06-inherit 07-file-pages 08-private-cow 09-reserve-grow 11-robust-mutex; do
    traced "$p" "$p" -n "$(t_name)" --no-hold
done
traced "09-reserve-grow -r 8M -g 256k --steps 2" 09-reserve-grow -n "$(t_name)" \
    -r 8M -g 256k --steps 2 --no-hold
traced "10-mapped-array --count 1000" 10-mapped-array --count 1000 -o "$T_SCRATCH/a.npy" --no-hold
traced "10-mapped-array --read" 10-mapped-array --read "$T_SCRATCH/a.npy" --no-hold

# The check is not a rubber stamp: a trace whose narration differs from the
# call made (09's mount options without mode=1777, as it once narrated them;
# a descriptor, a length) is refused.
N=$(t_name); TR=$(t_trace); ST=$T_SCRATCH/strace-lie
strace -f -qq -s 4096 -o "$ST" "$BIN/01-create" -n "$N" --trace "$TR" </dev/null >/dev/null 2>&1
"$BIN/05-close" -n "$N" --no-hold --trace off </dev/null >/dev/null 2>&1
sed 's/"args":"\([0-9]*\), 256"/"args":"\1, 4096"/' "$TR" > "$TR.lie"
if perl "$CMP" "$TR.lie" "$ST" >/dev/null 2>&1; then
    not_ok "a narrated length the kernel did not see is caught" "stracecmp accepted it"
else
    ok "a narrated length the kernel did not see is caught"
fi
sed 's/"ret":"4"/"ret":"5"/' "$TR" > "$TR.lie"
if perl "$CMP" "$TR.lie" "$ST" >/dev/null 2>&1; then
    not_ok "a narrated result the kernel did not return is caught" "stracecmp accepted it"
else
    ok "a narrated result the kernel did not return is caught"
fi

done_testing
