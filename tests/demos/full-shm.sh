#!/bin/bash
# A full (or small) /dev/shm: 03, 06, 09 and 11 say why they cannot have a
# page, exit 1, and leave nothing of theirs behind; none dies of SIGBUS.
# 01-create says when a size is more than /dev/shm can hold.  Each run is
# in a private mount namespace with a tiny tmpfs over /dev/shm (the real one
# is never filled), and that tmpfs is listed from outside the program after
# it ends.
. "$(dirname "$0")/../lib.sh"

if ! can_own_mounts; then
    skip "mount namespace" "a private tmpfs over /dev/shm needs root (unshare -m, mount)"
    stop_here
fi

# small SIZE FILL PREP -- CMD...: in a private mount namespace, mount a SIZE
# tmpfs over /dev/shm, run PREP (shell text), fill the rest of the tmpfs
# with a file named filler when FILL is "full", run CMD; then list what is
# left in /dev/shm besides the filler (name size blocks) into LEFT.  Sets
# RC, OUT (stdout and stderr).
small() {
    local size=$1 fill=$2 prep=$3; shift 4
    in_own_mounts bash -c '
        size=$1 fill=$2 prep=$3 scratch=$4; shift 4
        mount -t tmpfs -o "size=$size,mode=1777" tmpfs /dev/shm || exit 99
        eval "$prep" || exit 98
        if [ "$fill" = full ]; then
            dd if=/dev/zero of=/dev/shm/filler bs=4096 status=none 2>/dev/null
        fi
        "$@" </dev/null >"$scratch/small.out" 2>&1
        echo $? >"$scratch/small.rc"
        for f in /dev/shm/*; do
            [ -e "$f" ] && [ "$f" != /dev/shm/filler ] && stat -c "%n %s %b" "$f"
        done >"$scratch/small.left"
        exit 0
    ' small "$size" "$fill" "$prep" "$T_SCRATCH" "$@"
    RC=$(cat "$T_SCRATCH/small.rc" 2>/dev/null || echo "not run")
    OUT=$(cat "$T_SCRATCH/small.out" 2>/dev/null)
    LEFT=$(cat "$T_SCRATCH/small.left" 2>/dev/null)
}

N=$(t_name)   # only ever in the private tmpfs

# ---- 06 and 11: the object's page is had at once, or nothing is left -----
for prog in 06-inherit 11-robust-mutex; do
    small 64k full : -- "$BIN/$prog" -n "$N" --no-hold
    expect_eq "$prog on a full /dev/shm: exit 1 (not SIGBUS, 135), nothing left in /dev/shm" \
        "1 " "$RC $LEFT"
    expect_match "$prog: posix_fallocate asks for the page and gets ENOSPC" \
        "posix_fallocate\(3, 0, [0-9]+\) = 28 ENOSPC" "$OUT"
    expect_match "$prog: says why, with /dev/shm's room now" \
        "$prog: error: .* there is none to have \(/dev/shm has 0 bytes free of 64 KiB\): free some" "$OUT"
    expect_match "$prog: and that it removed its object" "$N removed again: nothing is left behind" "$OUT"
    expect_no_match "$prog: no child died of SIGBUS" "SIGBUS|wait status" "$OUT"
done

# ---- 03: another's object; its pages are read (allocated) first, caught
small 64k full "\"$BIN/01-create\" -n $N >/dev/null" -- "$BIN/03-copy" -n "$N" --no-hold
expect_eq "03-copy on a full /dev/shm: exit 1; 01-create's object is left as it was (256 bytes, no block)" \
    "1 /dev/shm$N 256 0" "$RC $LEFT"
expect_match "03-copy: says where the SIGBUS struck, why, and that the object is as it was" \
    "03-copy: error: SIGBUS at 0x[0-9a-f]+: the message needs a page of /dev/shm and there is none to have \(/dev/shm has 0 bytes free of 64 KiB\); nothing was copied and $N is as it was" "$OUT"
expect_no_match "03-copy: memcpy was announced, never run" "memcpy\(.*\) = " "$OUT"

# ---- 09: a SIGBUS inside the object is explained ------------------------
small 1M empty : -- "$BIN/09-reserve-grow" -n "$N" --no-hold
expect_eq "09-reserve-grow on a 1 MiB /dev/shm: exit 1, nothing left" "1 " "$RC $LEFT"
expect_match "09: the SIGBUS, where, and why: /dev/shm is full" \
    "09-reserve-grow: error: SIGBUS at 0x[0-9a-f]+ \(offset 1048576, inside the object\): no page could be had for it, because /dev/shm is full \(/dev/shm has 0 bytes free of 1 MiB\)" "$OUT"
expect_match "09: ...and what to do" "Give a smaller -g or --steps" "$OUT"
expect_match "09: ...and that it removed its object" "$N removed again: nothing is left behind" "$OUT"
small 1M empty : -- "$BIN/09-reserve-grow" -n "$N" --no-hold -g 64k --steps 2
expect_eq "09-reserve-grow -g 64k --steps 2 fits in 1 MiB: exit 0, nothing left" "0 " "$RC $LEFT"
small 64k full : -- "$BIN/09-reserve-grow" -n "$N" --no-hold
expect_eq "09-reserve-grow on a full /dev/shm: exit 1, nothing left" "1 " "$RC $LEFT"
expect_match "09: the first page's SIGBUS explained" \
    "SIGBUS at 0x[0-9a-f]+ \(offset 0, inside the object\): no page could be had for it, because /dev/shm is full" "$OUT"

# ---- 01: a size /dev/shm can never hold is said to be one ----------------
small 1M empty : -- "$BIN/01-create" -n "$N" -s 2M
expect_eq "01-create -s 2M on a 1 MiB /dev/shm: exit 0, the object is 2 MiB, no block" \
    "0 /dev/shm$N 2097152 0" "$RC $LEFT"
expect_match "01: says the size is sparse" "$N is now 2 MiB of zeros, and sparse: no page of it exists until one is touched" "$OUT"
expect_match "01: ...and more than /dev/shm can ever hold" \
    "more than /dev/shm can ever hold: it is 1 MiB in all \(1 MiB free now\).* at most 1 MiB of this object can ever be written" "$OUT"
small 1M full : -- "$BIN/01-create" -n "$N" -s 8k
expect_match "01-create -s 8k on a full 1 MiB /dev/shm: more than it has free now" \
    "more than /dev/shm has free now \(0 bytes of 1 MiB\)" "$RC $OUT"
small 1M empty : -- "$BIN/01-create" -n "$N" -s 8k
expect_eq "01-create -s 8k where there is room: exit 0" 0 "$RC"
expect_match "...and the plain sentence" "$N is now 8 KiB of zeros; no page is in memory until one is touched" "$OUT"

# The real /dev/shm, compared with its statvfs at that moment.
N=$(t_name)
run_out=$("$BIN/01-create" -n "$N" -s 99999999G 2>&1); rc=$?
read -r blocks bsize < <(stat -f -c '%b %S' /dev/shm)
total=$((blocks * bsize))
if [ "$total" -gt 0 ] && [ "$total" -lt $((99999999 << 30)) ]; then
    expect_eq "01-create -s 99999999G: exit 0, the object has that size, no block" \
        "0 $((99999999 << 30)) 0" "$rc $(stat -c '%s %b' "/dev/shm/${N#/}")"
    expect_match "...and it says plainly that it is sparse" "95.4 PiB of zeros, and sparse: no page of it exists" "$run_out"
    expect_match "...and more than /dev/shm can ever hold" \
        "that is more than /dev/shm can ever hold: it is [0-9.]+ [KMGT]iB in all" "$run_out"
else
    skip "size" "/dev/shm has no size limit here (statvfs): nothing to compare with"
fi
"$BIN/05-close" -n "$N" >/dev/null 2>&1
rm -f "/dev/shm/${N#/}"
done_testing
