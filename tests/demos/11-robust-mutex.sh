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

# ---- its workers end with it --------------------------------------------
# alive PIDS...: how many of PIDS still run (a zombie has ended).
alive() {
    local p n=0 st
    for p in "$@"; do
        st=$(sed -n 's/^State:[[:space:]]*//p' "/proc/$p/status" 2>/dev/null)
        case $st in ""|Z*) ;; *) n=$((n + 1)) ;; esac
    done
    echo "$n"
}
# start_count KEY WORKERS SEEN: 11 counting with WORKERS workers, 10^6
# increments each; once SEEN of them run, they are stopped (SIGSTOP) so that
# none finishes before the test is done with it, and KIDS holds their pids.
start_count() {
    N=$(t_name); F=/dev/shm/${N#/}
    start_held "$1" "$BIN/11-robust-mutex" -n "$N" -w "$2" -i 1000000 --no-hold
    local p i k
    p=$(pid_of "$1")
    for ((i = 0; i < 400; i++)); do
        KIDS=($(cat "/proc/$p/task/$p/children" 2>/dev/null))
        [ "${#KIDS[@]}" -ge "$3" ] && break
        sleep 0.005
    done
    KIDS=("${KIDS[@]:0:$3}")
    for k in "${KIDS[@]}"; do t_bg "$k"; kill -STOP "$k"; done
}

start_count term 64 8
expect_eq "8 of 64 workers are counting, stopped where they are" 8 "$(alive "${KIDS[@]}")"
kill -TERM "$(pid_of term)"
wait_exit "$(pid_of term)" 20
expect_eq "SIGTERM while workers count: it dies of it (143) and, the moment it is gone, none of its workers runs" \
    "143 0" "$T_STATUS $(alive "${KIDS[@]}")"
expect_match "...having said so after checking" "killed and reaped its [0-9]+ children: no process of this run is left" "$(err_of term)"
expect_match "...and removed the object" "removed again: nothing is left behind" "$(err_of term)"
check "...which is gone from /dev/shm" test ! -e "$F"

start_count kill9 64 8
kill -KILL "$(pid_of kill9)"
wait_exit "$(pid_of kill9)" 20
for ((i = 0; i < 10; i++)); do [ "$(alive "${KIDS[@]}")" = 0 ] && break; sleep 0.05; done
expect_eq "SIGKILL, which it cannot catch: its workers die with it (PR_SET_PDEATHSIG) within half a second" \
    "137 0" "$T_STATUS $(alive "${KIDS[@]}")"
rm -f "$F"

# ---- a worker killed from outside: named, and the record judged truly ------
start_count victim 8 4
victim=${KIDS[3]}
kill -KILL "$victim"
kill -CONT "${KIDS[@]:0:3}"
wait_exit "$(pid_of victim)" 60
OUT=$(out_of victim; err_of victim)
expect_eq "a worker killed from outside: 11 stops with status 1, no worker left" "1 0" "$T_STATUS $(alive "${KIDS[@]}")"
expect_match "...naming the worker, its pid and the signal" \
    "worker 3 \\(pid $victim\\) was killed by SIGKILL \\(Killed\\), not by this program, after committing [0-9]+ of its 1000000 increments" "$OUT"
expect_match "...saying whether the robust mutex was left owner-dead" \
    "the robust mutex (recovered: [1-9][0-9]* EOWNERDEADs? repaired|was never left owner-dead: 0 EOWNERDEADs repaired)" "$OUT"
line=$(printf '%s\n' "$OUT" | grep -o 'counter [0-9]* = the log.s sum [0-9]*: consistent.*')
c=$(echo "$line" | awk '{print $2}'); l=$(echo "$line" | awk '{print $7}' | tr -d :)
committed=$(printf '%s\n' "$OUT" | sed -n 's/.*after committing \([0-9]*\) of its.*/\1/p')
expect_eq "...the counter equals the log, and the log holds 7 x 1000000 plus what the dead worker committed" \
    "$((7000000 + committed)) $((7000000 + committed))" "$c $l"
expect_match "...so it says no committed increment was lost, and how many were never made" \
    "no committed increment was lost; the $((1000000 - committed)) missing from 8000000 were never made" "$OUT"
expect_no_match "...and does not cry INCREMENTS LOST" "INCREMENTS LOST" "$OUT"
check "...and removed the object" test ! -e "$F"

# ---- refusals -------------------------------------------------------------
for a in "-w 0" "-w 65" "-i x" "--kills -1"; do
    out=$("$BIN/11-robust-mutex" -n "$(t_name)" $a </dev/null 2>&1); rc=$?
    expect_eq "'$a' is a usage error (exit 2), nothing created" "2" "$rc"
done

done_testing
