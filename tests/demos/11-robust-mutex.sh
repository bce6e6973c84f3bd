#!/bin/bash
# 11-robust-mutex: N workers x M increments lose nothing; lock holders
# killed with SIGKILL between the record's two steps are noticed
# (EOWNERDEAD) and repaired every time, 100 times over, in seconds; without
# the repair the mutex is ENOTRECOVERABLE; a non-robust mutex times out
# instead of hanging.  Checked from outside: the record's bytes in
# /dev/shm while the program holds, and the trace of every round.
. "$(dirname "$0")/../lib.sh"

TC=$TOOLS/tracecheck

# record FILE: "counter repairs nlog sum-of-log last-log-entry", read by od.
record() {
    local v
    v=($(od -An -td8 -v -N $((8 * (3 + 65))) "$1"))
    local n=${v[2]} sum=0 i
    for ((i = 0; i < n; i++)); do sum=$((sum + v[3 + i])); done
    echo "${v[0]} ${v[1]} $n $sum ${v[$((2 + n))]}"
}

# run_held WORKERS INCREMENTS KILLS
run_held() {
    local w=$1 i=$2 k=$3
    N=$(t_name); TR=$(t_trace); F=/dev/shm/${N#/}
    start_held m "$BIN/11-robust-mutex" -n "$N" -w "$w" -i "$i" --kills "$k" --trace "$TR"
    if wait_event "$TR" 11-robust-mutex hold 1 60; then
        # counter = committed = w*i + one committed increment per killed worker
        expect_eq "[-w $w -i $i --kills $k] from outside: counter = the log's sum = $((w * i + k)), $k repairs, the killed workers' $k commits kept" \
            "$((w * i + k)) $k $((w + 1)) $((w * i + k)) $k" "$(record "$F")"
    else
        not_ok "[-w $w -i $i --kills $k] reaches its hold within 60 s (no hang)" "$(out_of m; err_of m)"
    fi
    finish m 30
    RC=$T_STATUS; OUT=$(out_of m)
}

run_held 4 10000 1
expect_eq "11-robust-mutex exits 0" 0 "$RC"
expect_match "no increment is lost by 4 workers x 10000" "counter 40000, log 40000, expected 40000: no increment lost" "$OUT"
expect_match "the killed worker died of SIGKILL between its two steps" \
    "died of SIGKILL between its two steps, holding the lock: counter 40002, committed in the log 40001" "$OUT"
expect_match "the next locker gets EOWNERDEAD" "pthread_mutex_lock\(&rec->lock\) = [0-9]+ EOWNERDEAD" "$OUT"
expect_match "after the repair the record is consistent" "repaired: counter 40001 = the log's sum 40001 \(consistent\)" "$OUT"
expect_eq "the lock calls' errors, in order: EOWNERDEAD (repaired), EOWNERDEAD (not), ENOTRECOVERABLE" \
    "EOWNERDEAD EOWNERDEAD ENOTRECOVERABLE" "$("$TC" get "$TR" --call pthread_mutex_lock errno | tr '\n' ' ' | sed 's/ $//')"
expect_eq "...each traced as expected" "true true true" \
    "$("$TC" get "$TR" --call pthread_mutex_lock expected | tr '\n' ' ' | sed 's/ $//')"
expect_eq "a non-robust mutex whose owner died: the timed lock times out, as expected" "ETIMEDOUT true" \
    "$("$TC" get "$TR" --call pthread_mutex_timedlock errno) $("$TC" get "$TR" --call pthread_mutex_timedlock expected)"
check "the trace is well-formed" "$TC" validate "$TR"
check "the name is removed at the end" test ! -e "$F"

# ---- 100 lock holders killed: consistent every time, in seconds -------------
start=$(date +%s)
run_held 3 2000 100
secs=$(( $(date +%s) - start ))
expect_eq "100 kills: exits 0" 0 "$RC"
expect_eq "100 kills: 100 SIGKILLs, 100 EOWNERDEADs repaired with pthread_mutex_consistent, 100 consistent records" \
    "100 100 100 100" \
    "$("$TC" count "$TR" --step kill --call kill) $("$TC" get "$TR" --call pthread_mutex_lock errno | head -n 100 | grep -c '^EOWNERDEAD$') $("$TC" get "$TR" --call pthread_mutex_consistent ret | grep -c '^0$') $(printf '%s\n' "$OUT" | grep -c '(consistent)$')"
bad=$(printf '%s\n' "$OUT" | grep -v '^  kill(' | grep -c 'STILL INCONSISTENT\|died of something else')
expect_eq "100 kills: every victim died of SIGKILL, no record left inconsistent" 0 "$bad"
check "100 kills take seconds, not minutes (${secs}s)" test "$secs" -lt 30

# ---- refusals -------------------------------------------------------------
for a in "-w 0" "-w 65" "-i x" "--kills -1"; do
    out=$("$BIN/11-robust-mutex" -n "$(t_name)" $a </dev/null 2>&1); rc=$?
    expect_eq "'$a' is a usage error (exit 2), nothing created" "2" "$rc"
done
