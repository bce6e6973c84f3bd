#!/bin/bash
# 12-channels: every channel delivers the stream whole (the consumer's
# checksum, which must be the same for one stream however it is cut into
# messages); a ring of one slot, odd chunk sizes and wrap-around; a
# producer or a consumer killed mid-run is noticed and explained, with
# nothing left running or in /dev/shm; bad options are refused with the
# rule; the table's system calls per message agree with strace -c from
# outside; -q quiets words only.  No timing is asserted here (make bench).
. "$(dirname "$0")/../lib.sh"

P=$BIN/12-channels
TC=$TOOLS/tracecheck
SMALL=(--no-hold --no-big-ring --trips 200)

# run ARGS...: a whole run with stdin closed; RC and OUT (stdout and stderr).
run() {
    OUT=$("$P" -n "$(t_name)" "$@" </dev/null 2>&1); RC=$?
}

# sums: the checksums the consumers reported, one per line.
sums() { printf '%s\n' "$OUT" | sed -n 's/.*; checksum \([0-9a-f]*\): every byte arrived as sent$/\1/p'; }

# ---- every channel, every byte -----------------------------------------------
TR=$(t_trace)
run "${SMALL[@]}" --total 3M --chunk 64k --ring 256k --big-ring 1M --trace "$TR"
expect_eq "all channels, 3 MiB in 64 KiB messages: exits 0" 0 "$RC"
n=$(sums | wc -l)
expect_eq "the consumer of each bulk channel (ring, pipe, grown pipe, socketpair) found every byte" 4 "$n"
expect_eq "...with one checksum, the stream's" 1 "$(sums | sort -u | wc -l)"
expect_no_match "...and no channel reports different bytes" "THE BYTES DIFFER" "$OUT"
for row in "memcpy in-process \(64 KiB\)" "shared ring \(256 KiB\)" "pipe \(64 KiB\)" \
           "pipe, F_SETPIPE_SZ \(256 KiB\)" "socketpair\(AF_UNIX\)" "spin only" \
           "spin, then futex" "futex only" "pipe, 1 byte"; do
    expect_match "the table has a row: $row" "^    $row +[0-9.e+-]+ +[0-9.]+ (ns|us|ms) +[0-9.]+ +[0-9.]+x" "$OUT"
done
check "the trace is well-formed" "$TC" validate "$TR"
expect_eq "shm_open, ftruncate, mmap, munmap, close, shm_unlink each succeeded once, traced" \
    "0 0 ok 0 0 0" "$("$TC" get "$TR" --call shm_open errno) $("$TC" get "$TR" --call ftruncate errno) \
$("$TC" get "$TR" --call mmap errno | sed "s/^0$/ok/") $("$TC" get "$TR" --call munmap errno) \
$("$TC" get "$TR" --call close errno) $("$TC" get "$TR" --call shm_unlink errno)"
check "nothing of it is left in /dev/shm" sh -c "! ls /dev/shm | grep -q '^$PREFIX-$SUITE-'"

# The big ring gets a stream of its own (4 rings): its checksum differs, and
# its consumer found it all the same.
run --no-hold --only ring --total 1M --chunk 64k --ring 256k --big-ring 1M
expect_eq "a ring and a larger one: exits 0, both consumers found every byte" "0 2" "$RC $(sums | wc -l)"
expect_match "...the larger ring's row says it carried its own total" "shared ring \(1 MiB\).*its own total: 4 rings" "$OUT"

# ---- odd sizes, one slot, wrap-around: the same stream, the same checksum -------
run --no-hold --only pipe --total 100003 --chunk 4k --ring 64k
ref=$(sums | head -n 1)
check "a reference: 100003 bytes through a pipe, checksum $ref" test -n "$ref"
for args in "--chunk 1 --ring 1" "--chunk 1 --ring 7" "--chunk 4097 --ring 4097" \
            "--chunk 4097 --ring 12289" "--chunk 65537 --ring 65537" "--chunk 65537 --ring 131075"; do
    run --no-hold --no-big-ring --only ring --total 100003 $args
    expect_eq "ring $args, 100003 bytes (wraps, one slot when equal): exits 0, the reference checksum" \
        "0 $ref" "$RC $(sums | tr '\n' ' ' | sed 's/ $//')"
done
for only in pipe socketpair; do
    run --no-hold --only $only --total 100003 --chunk 4097 --ring 4097
    expect_eq "$only, 4097-byte messages: exits 0, the reference checksum on each" \
        "0 $ref" "$RC $(sums | sort -u | tr '\n' ' ' | sed 's/ $//')"
done

# ---- refusals: the rule and what to give instead; nothing made ------------------
refuse() {
    local want=$1; shift
    N=$(t_name)
    out=$("$P" -n "$N" --no-hold "$@" </dev/null 2>&1); rc=$?
    expect_eq "'$*' is a usage error (exit 2), nothing created" "2 no" \
        "$rc $(shm_exists "$N" && echo yes || echo no)"
    expect_match "...saying: $want" "$want" "$out"
}
refuse "the ring must hold a whole message.*give a --ring at least as large as --chunk" --chunk 2M --ring 1M
refuse "is less than one --chunk.*give a --total of at least one chunk" --total 1k --chunk 64k
refuse "not a channel: it takes ring, pipe, socketpair or ping-pong" --only carrier-pigeon
refuse "more than 4 GiB.*give a smaller --ring" --ring 5G --chunk 64k
refuse "smaller than --ring.*give a larger --big-ring, or --no-big-ring" --ring 1M --big-ring 512k
refuse "--chunk: .*" --chunk 0
refuse "--trips: '0' is too small: at least 1" --trips 0
refuse "--trips: 'many' is not a whole number" --trips many
refuse "unknown option '--bogus'" --bogus

# ---- a peer killed mid-run ---------------------------------------------------------
# kids PID: the children of PID now.
kids() { cat "/proc/$1/task/$1/children" 2>/dev/null; }
# gone PID...: wait (at most 20 s) until none of PIDS runs; true when so.
gone() {
    local i p left
    for ((i = 0; i < 400; i++)); do
        left=0
        for p in "$@"; do
            st=$(sed -n 's/^State:[[:space:]]*//p' "/proc/$p/status" 2>/dev/null)
            case $st in ""|Z*) ;; *) left=1 ;; esac
        done
        [ $left = 0 ] && return 0
        sleep 0.05
    done
    return 1
}

# start_long KEY ONLY STEP [COUNT]: a run far too long to finish, stopped
# in step STEP (its COUNT'th heading); CHILD is its child then.
start_long() {
    local key=$1 only=$2 step=$3 count=${4:-1} i
    N=$(t_name); TR=$(t_trace); F=/dev/shm/${N#/}
    start_held "$key" "$P" -n "$N" --no-hold --no-big-ring --only "$only" --total 1024G \
        --trips 10000000 --trace "$TR"
    CHILD=
    if ! "$TC" wait "$TR" --prog 12-channels --event step --step "$step" --count "$count" \
            --timeout 20 2>/dev/null; then
        return 1
    fi
    for ((i = 0; i < 400; i++)); do
        CHILD=$(kids "$(pid_of "$key")" | tr -d " \n")
        [ -n "$CHILD" ] && break
        sleep 0.01
    done
    [ -n "$CHILD" ] || return 1
    t_bg "$CHILD"
    # Into the measure: the child has started taking messages.
    sleep 0.3
}

for c in "ring ring" "pipe pipe" "socketpair socketpair" "ping-pong ping-pong 2"; do
    set -- $c
    key=kc-$1
    if ! start_long "$key" "$@"; then
        not_ok "[$1] the run reaches its step and forks its child" "$(out_of "$key"; err_of "$key")"
        continue
    fi
    kill -KILL "$CHILD"
    wait_exit "$(pid_of "$key")" 20
    who="consumer"; [ "$1" = ping-pong ] && who="other player"
    expect_eq "[$1] consumer killed mid-run: the producer stops with status 1 (no hang)" 1 "$T_STATUS"
    expect_match "...and says who died of what, where" \
        "the $who \\(pid $CHILD\\) died of SIGKILL during the" "$(err_of "$key")"
    check "...nothing is left in /dev/shm" test ! -e "$F"
done

for c in "ring ring" "pipe pipe" "ping-pong ping-pong 2"; do
    set -- $c
    key=kp-$1
    if ! start_long "$key" "$@"; then
        not_ok "[$1] the run reaches its step and forks its child" "$(out_of "$key"; err_of "$key")"
        continue
    fi
    parent=$(pid_of "$key")
    kill -KILL "$parent"
    wait_exit "$parent" 20
    if gone "$CHILD"; then
        ok "[$1] producer killed (SIGKILL) mid-run: its child ends too, on its own (no hang)"
    else
        not_ok "[$1] producer killed (SIGKILL) mid-run: its child ends too, on its own (no hang)" \
            "child $CHILD still runs 20 s later"
    fi
    expect_match "...saying the producer is gone, and how it knows" \
        "(the producer|the other player) \\(pid $parent\\) is gone" "$(err_of "$key")"
    expect_match "...and that it removed the object this run made" \
        "this child removed $N, which this run made" "$(err_of "$key")"
    check "...which is gone from /dev/shm" test ! -e "$F"
done

# SIGTERM to the producer: the library removes the object; the child notices.
if start_long kt ring ring; then
    kill -TERM "$(pid_of kt)"
    wait_exit "$(pid_of kt)" 20
    expect_eq "SIGTERM to the producer: it dies of it (143)" 143 "$T_STATUS"
    if gone "$CHILD"; then ok "...and its consumer ends on its own"
    else not_ok "...and its consumer ends on its own" "child $CHILD still runs"; fi
    expect_match "...having said the producer is gone" "the producer \\(pid [0-9]+\\) is gone" "$(err_of kt)"
    check "...nothing is left in /dev/shm" test ! -e "$F"
else
    not_ok "SIGTERM: the run reaches the ring" "$(out_of kt; err_of kt)"
fi

# ---- one CPU: spin only hits its bound and says so; the rest go on ---------------
run --no-hold --only ping-pong --one-cpu --trips 3000
expect_eq "--one-cpu ping-pong: exits 0 (no endless spin)" 0 "$RC"
expect_match "...spin only ends at its bound, saying so in its row" \
    "^    spin only .*(stopped after 1 s: too slow to finish|GAVE UP: one wait spun 1 s with no answer)" "$OUT"
expect_match "...the waiters go straight to the futex, and it says why" \
    "may run on one CPU only: a waiter goes straight to the futex" "$OUT"
for row in "spin, then futex" "futex only" "pipe, 1 byte"; do
    expect_match "...'$row' completes its 3000 round trips" "^    $row +[0-9]+ " "$OUT"
done
N=$(t_name); TR=$(t_trace)
start_held pin "$P" -n "$N" --no-hold --only ping-pong --one-cpu --trips 10000000 --trace "$TR"
if "$TC" wait "$TR" --prog 12-channels --event step --step ping-pong --count 2 --timeout 20 2>/dev/null; then
    p=$(pid_of pin); c=$(kids "$p" | tr -d ' \n')
    a=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "/proc/$p/status")
    b=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "/proc/$c/status" 2>/dev/null)
    if [ -n "$c" ] && [ -n "$a" ] && [ "$a" = "$b" ] && [[ "$a" =~ ^[0-9]+$ ]]; then
        ok "--one-cpu: both processes may run on one CPU, the same one ($a), seen in /proc"
    else
        not_ok "--one-cpu: both processes may run on one CPU, the same one" "parent $p: '$a', child '$c': '$b'"
    fi
    kill -TERM "$p"; wait_exit "$p" 20
    gone "$c" || not_ok "--one-cpu: the child ends after the parent's SIGTERM" "child $c"
else
    not_ok "--one-cpu: the run reaches its second ping-pong" "$(out_of pin; err_of pin)"
fi

# ---- system calls per message: the table against strace -c ------------------------
# row_calls ROW: the syscalls column of the table's row that starts with ROW.
row_calls() { printf '%s\n' "$OUT" | awk -v r="$1" 'index($0, "    " r) == 1 { print $(NF - 1) }' | head -n 1; }
# strace_calls FILE NAMES...: the calls of those names strace -c counted
# (the column before the errors, which may be empty).
strace_calls() {
    local f=$1; shift
    awk -v names=" $* " 'index(names, " " $NF " ") && $4 ~ /^[0-9]+$/ { n += $4 } END { print n + 0 }' "$f"
}
# near A B: A and B agree within 10% and 40 calls (set-up and glibc's own).
near() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 0.1 * b + 40) }'; }

if ! need_tool strace; then
    skip "syscalls against strace" "strace is not installed"
else
    # ONLY|ROWS (;-separated: the rows that run)|the system calls they make
    for c in "pipe|pipe (64 KiB);pipe, F_SETPIPE_SZ|read write" \
             "socketpair|socketpair(AF_UNIX)|read write" \
             "ring|shared ring (1 MiB)|futex getppid wait4"; do
        IFS='|' read -r only rows names <<< "$c"
        S=$T_SCRATCH/strace-$only
        OUT=$($T_STRACE -f -c -o "$S" "$P" -q -n "$(t_name)" --no-hold --no-big-ring --only "$only" \
              --total 64M --chunk 16k --ring 1M </dev/null 2>&1); RC=$?
        msgs=4096 mine=0 pers=
        IFS=';' read -ra rs <<< "$rows"
        for r in "${rs[@]}"; do
            per=$(row_calls "$r")
            pers="$pers${pers:+ + }${per:-?}"
            mine=$(awk -v m="$mine" -v p="${per:-0}" -v n="$msgs" 'BEGIN { printf "%.0f", m + p * n }')
        done
        seen=$(strace_calls "$S" $names)
        if [ "$RC" = 0 ] && [ "$pers" = "${pers//\?/}" ] && [ "$seen" -gt 0 ] && near "$mine" "$seen"; then
            ok "[$only] the table's ($pers) syscalls/message x $msgs messages = $mine; strace -c -f counts $seen ($names)"
        else
            not_ok "[$only] the table's syscalls/message agree with strace -c" \
                "exit $RC, rows '$rows': ($pers) x $msgs = $mine; strace ($names): $seen" "$OUT" "$(cat "$S")"
        fi
    done
fi

# ---- -q: no narration, the same calls -------------------------------------------------
TQ=$(t_trace); TL=$(t_trace)
OUTQ=$("$P" -q -n "$(t_name)" "${SMALL[@]}" --total 1M --trace "$TQ" </dev/null 2>&1); RCQ=$?
OUTL=$("$P" -n "$(t_name)" "${SMALL[@]}" --total 1M --trace "$TL" </dev/null 2>&1); RCL=$?
expect_eq "-q and not: both exit 0" "0 0" "$RCQ $RCL"
expect_no_match "-q prints no step headings" '^\[' "$OUTQ"
expect_no_match "-q prints no narrated call" '^  (shm_open|fork|pipe|mmap)\(' "$OUTQ"
expect_match "-q still prints the table" "^    shared ring \(1 MiB\) " "$OUTQ"
calls_of() { "$TC" get "$1" --event call call | tr '\n' ' '; }
expect_eq "-q makes the same taught calls, in the same order (the traces)" "$(calls_of "$TL")" "$(calls_of "$TQ")"
check "the -q trace is not empty" test -n "$(calls_of "$TQ")"

done_testing
