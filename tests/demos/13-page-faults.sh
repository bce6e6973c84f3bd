#!/bin/bash
# 13-page-faults: the faults it reports for each phase are the kernel's.
# Checked from outside: minflt (and cminflt, the children's) in
# /proc/PID/stat at its holds against what it says the phases between them
# took; fault-around on the read; no faults on a touch after MAP_POPULATE;
# huge pages on a private tmpfs (root), skipped with the reason otherwise;
# bad sizes; nothing left in /dev/shm, also when stopped; -q, same calls.
. "$(dirname "$0")/../lib.sh"

TC=$TOOLS/tracecheck
P13=$BIN/13-page-faults

# minflt and cminflt of PID (fields 10 and 11; the name may hold spaces).
faults() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $8, $9 }'; }
# The number before WORD in the first line of OUT that has TEXT.
said() { printf '%s\n' "$1" | grep -m1 -F "$2" | grep -oE "[0-9]+ $3" | head -n1 | cut -d' ' -f1; }
# within N LOW HIGH: LOW <= N <= HIGH (N must be a number).
within() { [[ $1 =~ ^[0-9]+$ ]] && [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }
# Faults that are not the phase's own: narration, stdio, the loader's
# pages; more under AddressSanitizer, whose shadow pages fault too.
SLACK=400
grep -q fsanitize "$ROOT/build/flags" 2>/dev/null && SLACK=20000

N=$(t_name); TR=$(t_trace); F=/dev/shm/${N#/}
start_held g "$P13" -n "$N" --trace "$TR" -b 64M
PAGES=$(( 64 * 1024 * 1024 / PS ))
if wait_event "$TR" 13-page-faults hold 1 60; then
    P=$(pid_of g)
    read -r m1 c1 <<< "$(faults "$P")"
    expect_eq "at the first hold the view is mapped and untouched: Rss 0 kB" 0 \
        "$(smaps_field "$P" "$("$TC" get "$TR" --pid "$P" --call mmap addr | head -n1)" Rss)"
    release g
    wait_event "$TR" 13-page-faults hold 2 60
    read -r m2 c2 <<< "$(faults "$P")"
    release g
    wait_event "$TR" 13-page-faults hold 3 60
    read -r m3 c3 <<< "$(faults "$P")"
    OUT=$(out_of g)
    first=$(said "$OUT" "first touch (write), fresh object:" "minor")
    second=$(said "$OUT" "second process, stores into allocated pages:" "minor")
    readf=$(said "$OUT" "read, pages already in memory:" "minor")
    check "the first touch takes about one fault a page ($first for $PAGES pages)" \
        within "$first" "$PAGES" $((PAGES + PAGES / 8 + 16))
    check "from outside, minflt grew by the first touch's faults ($((m2 - m1)) for $first said)" \
        within $((m2 - m1)) "${first:-0}" $((${first:-0} + SLACK))
    check "the second process takes about one fault a page too ($second)" \
        within "$second" "$PAGES" $((PAGES + PAGES / 8 + 16))
    check "from outside, cminflt grew by the child's faults ($((c3 - c2)) for $second said)" \
        within $((c3 - c2)) "${second:-0}" $((${second:-0} + SLACK))
    check "from outside, minflt grew by the read's faults ($((m3 - m2)) for $readf said)" \
        within $((m3 - m2)) "${readf:-0}" $((${readf:-0} + SLACK))
    check "fault-around: the read maps more than 4 pages a fault ($readf faults for $PAGES pages)" \
        test "${readf:-0}" -gt 0 -a $(( PAGES / ${readf:-1} )) -gt 4
    maps=$(grep -c "${N#/}" "/proc/$P/maps")
    expect_eq "at the third hold it maps the object twice (read-write and read-only)" 2 "$maps"
else
    not_ok "13-page-faults reaches its holds" "$(out_of g; err_of g)"
fi
finish g 120
OUT=$(out_of g); RC=$T_STATUS
expect_eq "13-page-faults -b 64M exits 0" 0 "$RC"
pop=$(printf '%s\n' "$OUT" | grep -F -A1 "MAP_POPULATE, inside mmap:" | grep -oE "then a store into each page: [0-9]+" | grep -oE "[0-9]+$")
check "after MAP_POPULATE a store into every page takes next to no faults ($pop)" within "$pop" 0 16
madv=$(printf '%s\n' "$OUT" | grep -F -A1 "MADV_POPULATE_WRITE, inside madvise:" | grep -oE "then a store into each page: [0-9]+" | grep -oE "[0-9]+$")
if printf '%s\n' "$OUT" | grep -q "this kernel lacks MADV_POPULATE_WRITE"; then
    skip "MADV_POPULATE_WRITE" "this kernel lacks it, and the program said so"
else
    check "after MADV_POPULATE_WRITE a store into every page takes next to no faults ($madv)" within "$madv" 0 16
fi
expect_match "the table has a row for each phase" "^  read through a new view +$PAGES " "$OUT"
if can_own_mounts; then
    huge=$(said "$OUT" "huge pages, stores into a fresh object:" "minor")
    check "huge pages: a fault maps many pages ($huge faults for $PAGES pages)" \
        test "${huge:-0}" -gt 0 -a $(( PAGES / ${huge:-1} )) -gt 4
    expect_no_match "the huge tmpfs never shows in this namespace" "huge=always" "$(cat /proc/mounts)"
else
    expect_match "without a private mount, the huge-page phase is skipped with the reason" \
        "skipped: (mounting a tmpfs of its own needs CAP_SYS_ADMIN|/dev/shm is not a mount point)" "$OUT"
fi
check "the trace is well-formed" "$TC" validate "$TR"
check "the name is removed at the end" test ! -e "$F"

# ---- no CAP_SYS_ADMIN: the huge-page phase is skipped, with the reason ----
if is_root && need_tool setpriv; then
    out=$(setpriv --bounding-set=-sys_admin "$P13" -n "$(t_name)" -b 4M --no-hold --trace off </dev/null 2>&1); rc=$?
    expect_eq "without CAP_SYS_ADMIN it exits 0" 0 "$rc"
    expect_match "...and says why the huge-page phase is skipped" \
        "huge pages, tmpfs huge=always +skipped: mounting a tmpfs of its own needs CAP_SYS_ADMIN" "$out"
else
    skip "the no-capability path" "needs root and setpriv"
fi

# Where /dev/shm is not a mount point, its mount cannot be made private: the
# huge-page phase is skipped with the reason, without trying a mount.
if is_root && need_tool unshare; then
    N=$(t_name)
    out=$(without_shm_mount "$P13" "$N" -b 4M --no-hold --trace off); rc=$?
    expect_eq "where /dev/shm is not a mount point it exits 0" 0 "$rc"
    expect_match "...and says why the huge-page phase is skipped" \
        "huge pages, tmpfs huge=always +skipped: /dev/shm is not a mount point here" "$out"
    expect_no_match "...without trying a mount" '^ *mount\(' "$out"
    expect_match "...and leaves nothing in that /dev/shm" "^left: \$" "$out"
else
    skip "/dev/shm not a mount point" "needs root and unshare"
fi

# ---- bad sizes -------------------------------------------------------------
for bad in 0 many -5 1x; do
    out=$("$P13" -n "$(t_name)" -b "$bad" --no-hold </dev/null 2>&1); rc=$?
    expect_eq "-b $bad is a usage error (exit 2)" 2 "$rc"
    expect_match "...that says the rule" "(-b|--bytes)" "$out"
done
N=$(t_name)
out=$("$P13" -n "$N" -b 100000G --no-hold </dev/null 2>&1); rc=$?
expect_eq "-b larger than /dev/shm's room is a usage error (exit 2)" 2 "$rc"
expect_match "...that says how much room there is" "more than /dev/shm can give now \(/dev/shm has .* free of" "$out"
check "...and makes nothing" test ! -e "/dev/shm/${N#/}"

# ---- stopped at a hold: the object is removed all the same -----------------
N=$(t_name); TR=$(t_trace)
start_held s "$P13" -n "$N" --trace "$TR" -b 8M
if wait_event "$TR" 13-page-faults hold 1 60 && release s && wait_event "$TR" 13-page-faults hold 2 60; then
    check "while it holds, the object exists" test -e "/dev/shm/${N#/}"
    kill -TERM "$(pid_of s)"
    wait_exit "$(pid_of s)" 20
    expect_eq "SIGTERM at a hold ends it with the signal's status" 143 "$T_STATUS"
    check "...and the object it made is removed" test ! -e "/dev/shm/${N#/}"
    expect_match "...and it says so" "removed again: nothing is left behind" "$(err_of s)"
else
    not_ok "13-page-faults -b 8M reaches its second hold" "$(out_of s; err_of s)"
fi

# ---- -q changes words only: the same system calls --------------------------
if need_tool strace; then
    calls() {
        rm -f "$T_SCRATCH/$1".*
        strace -ff -qq -e trace=%file,%memory,%process,%desc -o "$T_SCRATCH/$1" \
            "$P13" -n "$2" -b 4M --no-hold --trace off ${3:+"$3"} </dev/null >/dev/null 2>&1
        cat "$T_SCRATCH/$1".* | awk -v name="${2#/}" '
            /= \? ERESTART|^--- |^\+\+\+ / { next }
            /^execve\(/ { print "execve"; next }
            /^(write|writev|newfstatat|fstat)\((1|2),/ { next }
            { gsub(/"([^"\\]|\\.)*"(\.\.\.)?/, "BUF"); gsub(/ \/\* [^*]* \*\//, "")
              gsub(/0x[0-9a-f]+/, "A"); gsub(/[0-9]+/, "N"); gsub(/ +/, " "); print }' | sort
    }
    a=$(calls loud "$(t_name)"); b=$(calls quiet "$(t_name)" -q)
    check "-q: calls were traced" test -n "$a"
    expect_eq "-q makes the same system calls" "$a" "$b"
else
    skip "-q, same calls" "strace is not installed"
fi

left=$(ls /dev/shm | grep -F "$PREFIX-$SUITE" || true)
expect_eq "nothing of this suite is left in /dev/shm" "" "$left"

done_testing
