#!/bin/bash
# 09-reserve-grow: a 1 GiB view over a growing object costs only the pages
# touched; SIGBUS past the end and on cut-off pages, caught; ENOSPC up front
# from posix_fallocate; SIGBUS on a full private tmpfs (root), skipped with
# the reason otherwise.  Checked from outside: smaps Size/Rss of the view
# while it holds, the object's size and allocated blocks, /proc/mounts.
. "$(dirname "$0")/../lib.sh"

TC=$TOOLS/tracecheck

# run_held ARGS...: run it held; at the hold check Size, Rss and the object.
# WANT_KB is the memory the touched pages should take.
run_held() {
    local want_kb=$1 size_kb=$2; shift 2
    local L="[${*:-defaults}]"
    N=$(t_name); TR=$(t_trace); F=/dev/shm/${N#/}
    start_held g "$BIN/09-reserve-grow" -n "$N" --trace "$TR" "$@"
    if wait_event "$TR" 09-reserve-grow hold; then
        local P A rss
        P=$(pid_of g); A=$("$TC" get "$TR" --pid "$P" --call mmap addr)
        rss=$(smaps_field "$P" "$A" Rss)
        expect_eq "$L from outside: the view's Size is the whole reservation" "$size_kb" "$(smaps_field "$P" "$A" Size)"
        # Exactly the pages touched, or a little more if tmpfs used huge pages.
        check "$L from outside: Rss ($rss kB) is the pages touched ($want_kb kB), not the reservation" \
            test "${rss:-0}" -ge "$want_kb" -a "${rss:-0}" -le $((want_kb + 2048))
        expect_eq "$L from outside: the object is that size, all of it allocated" \
            "$((want_kb * 1024)) $((want_kb * 1024))" "$(stat -c '%s' "$F") $(( $(stat -c '%b * %B' "$F") ))"
    else
        not_ok "$L 09-reserve-grow reaches its hold" "$(out_of g; err_of g)"
    fi
    finish g 60
    OUT=$(out_of g); RC=$T_STATUS
}

run_held 4100 1048576
expect_eq "09-reserve-grow exits 0" 0 "$RC"
bad=$(printf '%s\n' "$OUT" | sed -n 's/.*touched \([0-9]*\) pages: \([0-9]*\) minor faults/\1 \2/p' |
      awk '$2 < $1 || $2 > $1 * 9 / 8 + 16')   # ASan's shadow pages fault too
n=$(printf '%s\n' "$OUT" | grep -c 'touched 256 pages: ')
expect_eq "each step touches 256 pages with about one minor fault per page" "4 " "$n $bad"
expect_match "Rss grows with the pages touched: 4100 kB after four steps" \
    "now: view Size 1048576 kB, Rss 4100 kB" "$OUT"
expect_match "a touch past the end raises SIGBUS, caught and explained" \
    "SIGBUS at 0x[0-9a-f]+, caught: the page is inside the view but past the object's end" "$OUT"
expect_match "shrinking frees the cut-off pages" "after shrinking: view Size 1048576 kB, Rss 1028 kB" "$OUT"
expect_match "a cut-off page raises SIGBUS" "SIGBUS at 0x[0-9a-f]+, caught: that page was in use a moment ago" "$OUT"
expect_eq "posix_fallocate beyond the file system fails with ENOSPC, traced as expected" "ENOSPC true" \
    "$("$TC" get "$TR" --call posix_fallocate errno) $("$TC" get "$TR" --call posix_fallocate expected)"
if is_root; then
    expect_match "on a full private tmpfs, a store gets SIGBUS although ftruncate succeeded" \
        "pages 0-15 stored; page 16: SIGBUS at 0x[0-9a-f]+, caught: the tmpfs is full" "$OUT"
    expect_no_match "the private tmpfs never shows in this namespace" "^tmpfs /dev/shm tmpfs .*size=64k" \
        "$(cat /proc/mounts)"
else
    skip "SIGBUS on a full private tmpfs" "needs root"
fi
check "the trace is well-formed" "$TC" validate "$TR"
check "the name is removed at the end" test ! -e "$F"

run_held 516 8192 -r 8M -g 256k --steps 2
expect_eq "with -r 8M -g 256k --steps 2 it exits 0" 0 "$RC"

# ---- no CAP_SYS_ADMIN: the full-tmpfs part is skipped, with the reason ----
if is_root && need_tool setpriv; then
    N=$(t_name)
    out=$(setpriv --bounding-set=-sys_admin "$BIN/09-reserve-grow" -n "$N" -r 16M --no-hold --trace off </dev/null 2>&1); rc=$?
    expect_eq "without CAP_SYS_ADMIN it exits 0" 0 "$rc"
    expect_match "...and says why the full-tmpfs part is skipped" \
        "skipped: filling a tmpfs needs a private one .*the shared /dev/shm is never filled" "$out"
    expect_match "...while posix_fallocate's ENOSPC is still shown" "posix_fallocate\(.*= 28 ENOSPC" "$out"
    PB=$(t_public_bin); N=$(t_name)
    out=$(as_user nobody "$PB/09-reserve-grow" -n "$N" -r 16M --no-hold --trace off </dev/null 2>&1); rc=$?
    expect_eq "as nobody it exits 0, the full-tmpfs part skipped" "0 yes" \
        "$rc $(printf '%s\n' "$out" | grep -q 'skipped: filling a tmpfs' && echo yes)"
    check "as nobody it leaves nothing in /dev/shm" test ! -e "/dev/shm/${N#/}"
else
    skip "the no-capability path" "needs root and setpriv"
fi

# ---- / not a mount point (a chroot, some containers) -----------------------
# mount(2) changes the propagation of a mount point only.  The program makes
# /dev/shm's mount private before covering it, which works in a chroot too,
# where "/" is not a mount point.  Here it runs in such a root: a directory
# of a private mount namespace, with /usr, /proc and /dev/shm mounted in it.
# (Where the test itself runs in one, it runs the program as it is.)
chroot_09() {
    local R=$T_SCRATCH/root N=$1
    if ! root_is_mount_point; then
        "$BIN/09-reserve-grow" -n "$N" -r 16M --no-hold --trace off </dev/null 2>&1
        return
    fi
    mkdir -p "$R/usr" "$R/proc" "$R/dev/shm" "$R/prog"
    for l in bin lib lib64 sbin; do [ -L "/$l" ] && ln -s "usr/$l" "$R/$l"; done
    cp "$BIN/09-reserve-grow" "$R/prog/"
    unshare -m --propagation private sh -c '
        mount --bind /usr "$1/usr" && mount -t proc proc "$1/proc" &&
        mount --bind /dev/shm "$1/dev/shm" &&
        exec chroot "$1" /prog/09-reserve-grow -n "$2" -r 16M --no-hold --trace off' \
        sh "$R" "$N" </dev/null 2>&1
}
if is_root && need_tool unshare && need_tool chroot; then
    N=$(t_name)
    out=$(chroot_09 "$N"); rc=$?
    expect_eq "where / is not a mount point it exits 0" 0 "$rc"
    expect_match "...having filled its private tmpfs all the same" \
        "pages 0-15 stored; page 16: SIGBUS at 0x[0-9a-f]+, caught: the tmpfs is full" "$out"
    expect_no_match "...which never showed here" "^tmpfs /dev/shm tmpfs .*size=64k" "$(cat /proc/mounts)"
    check "...and it leaves nothing in /dev/shm" test ! -e "/dev/shm/${N#/}"
else
    skip "/ not a mount point" "needs root, unshare and chroot"
fi

# Where /dev/shm is not a mount point (a plain directory), its mount cannot
# be made private: the full-tmpfs part is skipped with the reason, and the
# program exits 0.  /dev/shm is unmounted in a namespace of the test's own.
if is_root && need_tool unshare; then
    N=$(t_name)
    out=$(without_shm_mount "$BIN/09-reserve-grow" "$N" -r 16M --no-hold --trace off); rc=$?
    expect_eq "where /dev/shm is not a mount point it exits 0" 0 "$rc"
    expect_match "...and says why the full-tmpfs part is skipped" \
        "skipped: .*/dev/shm is not a mount point here.*never filled" "$out"
    expect_no_match "...without trying a mount that cannot work" '^ *mount\(' "$out"
    expect_match "...and leaves nothing in that /dev/shm" "^left: \$" "$out"
else
    skip "/dev/shm not a mount point" "needs root and unshare"
fi

# ---- refusals, and nothing half-made --------------------------------------
out=$("$BIN/09-reserve-grow" -n "$(t_name)" -r 4k </dev/null 2>&1); rc=$?
expect_eq "a reservation too small for the steps is a usage error" 2 "$rc"
expect_match "...that says how much is needed" "at least [0-9]+ bytes" "$out"
out=$("$BIN/09-reserve-grow" -n "$(t_name)" --steps many </dev/null 2>&1); rc=$?
expect_eq "--steps that is not a number is a usage error" 2 "$rc"
# More than any process's address space (47 bits): mmap fails after the
# object was made, which must take it back.
N=$(t_name)
out=$("$BIN/09-reserve-grow" -n "$N" -r 1000000G --no-hold </dev/null 2>&1); rc=$?
expect_eq "a view larger than the address space fails: exit 1" 1 "$rc"
expect_match "...with ENOMEM explained" "mmap failed: ENOMEM" "$out"
check "...and the object it made is removed again" test ! -e "/dev/shm/${N#/}"
expect_match "...and it says so" "removed again: nothing is left behind" "$out"

done_testing
