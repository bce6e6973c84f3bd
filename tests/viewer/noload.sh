#!/bin/bash
# The viewer and the tour never bring a page of the object into memory.
#
# A sparse 5 GiB file on a disk file system, with a few pages written and
# evicted, and a few read back by a plain reader (so that the kernel has
# marked where to read ahead next, as any reader leaves it): a long live
# session of mmapview on it (samples every 50 ms, a search through the
# whole file, pages on disk and holes selected) and the tour held at
# 10-mapped-array's stage must leave the file's page cache as it was
# (fincore, from outside), and every pread the viewer makes on it must lie
# in pages that were resident before it started (strace).  A page not read
# must be said to be not read.  On tmpfs, a shared memory object's holes
# must stay holes (st_blocks) through the same session.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tour/tour-lib.bash"

MV=$BIN/mmapview
PC=$TOOLS/pagecache
SEEK=$ROOT/build/tests/viewer/seekmap

for t in tmux fincore; do
    if ! need_tool $t; then
        skip "$t" "$t is not installed: this suite needs it (apt-get install ${t/fincore/util-linux})"
        stop_here
    fi
done

# The page cache of a file on disk: not tmpfs, where there is no readahead.
D=$T_SCRATCH/disk
case $(stat -f -c %T "$T_SCRATCH") in
tmpfs|ramfs)
    D=$(mktemp -d "$ROOT/build/tests/noload.XXXXXX") || exit 1
    trap 'tm kill-server 2>/dev/null; tm2 kill-server 2>/dev/null; rm -rf "$D"; t_cleanup' EXIT
    ;;
esac
mkdir -p "$D"
case $(stat -f -c %T "$D") in
tmpfs|ramfs)
    skip "a disk file system" "$D is on $(stat -f -c %T "$D"): no disk file system to test on"
    stop_here
    ;;
esac

res_bytes() { fincore --bytes --noheadings --output RES "$1"; }

# no_growth DESC BEFORE AFTER: resident bytes did not grow (the kernel may
# evict meanwhile; nothing may come in).
no_growth() {
    if [ "$3" -le "$2" ]; then ok "$1"; else not_ok "$1" "before: $2 bytes" "after:  $3 bytes"; fi
}

# within RANGES OUTER: the ranges ("A-B,C" page indexes, "-" none) of
# RANGES that are not inside OUTER, whose ranges are maximal runs.
within() {
    awk -v in_="$1" -v out="$2" 'BEGIN {
        n = split(out, o, ",")
        for (i = 1; i <= n; i++) { k = split(o[i], ab, "-"); lo[i] = ab[1]; hi[i] = k > 1 ? ab[2] : ab[1] }
        m = split(in_, r, ",")
        for (j = 1; j <= m; j++) {
            if (r[j] == "-") continue
            k = split(r[j], ab, "-"); a = ab[1] + 0; b = (k > 1 ? ab[2] : ab[1]) + 0
            inside = 0
            for (i = 1; i <= n; i++) if (o[i] != "-" && a >= lo[i] + 0 && b <= hi[i] + 0) { inside = 1; break }
            if (!inside) printf "%s ", r[j]
        }
    }'
}

# pread_outside LOG PATH RANGES: the viewer's reads of PATH (strace -y) that
# reach a page not in RANGES ("A-B,C" page indexes), one a line.
pread_outside() {
    grep -F "<$2>" "$1" | grep -E 'pread64\(|preadv2?\(' |
        sed -nE -e 's/.*pread64\(.*, ([0-9]+), ([0-9]+)\) += .*/\1 \2 &/p' \
                -e 's/.*preadv2?\(.*iov_len=([0-9]+)\}\], 1, ([0-9]+)(, [A-Z_|]+)?\) += .*/\1 \2 &/p' |
        awk -v res="$3" -v ps="$PS" '
            BEGIN {
                n = split(res, r, ",")
                for (i = 1; i <= n; i++) {
                    if (r[i] == "-") continue
                    k = split(r[i], ab, "-")
                    lo[i] = ab[1]; hi[i] = k > 1 ? ab[2] : ab[1]
                }
            }
            {
                len = $1; off = $2
                if (len == 0) next
                for (p = int(off / ps); p <= int((off + len - 1) / ps); p++) {
                    inside = 0
                    for (i = 1; i <= n; i++)
                        if (p >= lo[i] && p <= hi[i]) { inside = 1; break }
                    if (!inside) { $1 = ""; $2 = ""; print "page " p ":" $0; next }
                }
            }'
}

# ---- a sparse 5 GiB file, a few pages resident ------------------------------
F=$D/big.dat
truncate -s 5G "$F"
"$PC" write "$F" 0 1000 300000 1000000 1300000
"$PC" evict "$F"
expect_eq "the file's pages are evicted to begin with" "-" "$("$PC" resident "$F")"
"$PC" read "$F" 0 300000 1300000
R0=$("$PC" resident "$F")
B0=$(res_bytes "$F")
expect_match "...then a plain reader leaves pages 0, 300000, 1300000 resident" \
    '^0(-[0-9]+)?,300000(-[0-9]+)?,1300000(-[0-9]+)?$' "$R0"

# ---- what the viewer says of single pages -----------------------------------
out=$("$MV" --once --file "$F" --page 300000 2>&1)
expect_match "--once: a resident page is read and shown" 'mmaplab-noload p' "$out"
out=$("$MV" --once --file "$F" --page 1000 2>&1)
expect_match "--once: a page on disk is not read, and it says so" \
    '^  not read: not in memory' "$out"
expect_no_match "...and shows no bytes for it" '^  0+3e8000 ' "$out"
out=$("$MV" --json --file "$F" --page 5 2>&1)
expect_match "--json: a hole not in memory is not read (no bytes, a note)" \
    '"hex":null,.*"note":"not read: not in memory' "$out"
no_growth "...these looks loaded nothing (fincore)" "$B0" "$(res_bytes "$F")"

# ---- a long live session ------------------------------------------------------
STRACE=
LOG=$T_SCRATCH/live.strace
# LeakSanitizer (make SANITIZE=1) cannot run under ptrace.
need_tool strace &&
    STRACE="$T_STRACE -f -y -qq -o $LOG -e trace=pread64,preadv,preadv2"
tm new-session -d -s live -x 120 -y 40 \
    "env LANG=$LANG_UTF8 LC_ALL=$LANG_UTF8 NO_COLOR=1 $STRACE $MV --interval 50 --file $F; echo \"status=\$?\"; sleep 600"
wait_screen live "the live viewer follows the file" "state +LIVE" 20
sleep 6                               # about 120 samples
tm send-keys -t live / z q x - a b s e n t Enter
wait_screen live "a search through all 5 GiB: not found in the pages that can be read" \
    "not found in the pages that can be read: zqx-absent" 60
tm send-keys -t live / n o l o a d Space p a g e Space 1 0 0 0 0 0 0 Enter
wait_screen live "a search for text on a page on disk does not find it there" \
    "not found in the pages that can be read: noload page 1000000" 60
tm send-keys -t live / n o l o a d Space p a g e Space 1 3 0 0 0 0 0 Enter
wait_screen live "...text on a resident page far into the file is found" \
    "found at 0x13d620008, page 1300000" 60
tm send-keys -t live G
sleep 4
tm send-keys -t live q
until_screen live "^status=" 20
screen_has live "the viewer ends with status 0" "^status=0$"
B1=$(res_bytes "$F")
R1=$("$PC" resident "$F")
no_growth "after the live session the file's resident bytes have not grown (fincore)" "$B0" "$B1"
expect_eq "...and no page is resident that was not before" "" "$(within "$R1" "$R0" | cut -c1-300)"
if [ -n "$STRACE" ]; then
    reads=$(grep -F "<$F>" "$LOG" | grep -cE 'pread64\(|preadv2?\(')
    bad=$(pread_outside "$LOG" "$F" "$R0")
    if [ -z "$bad" ]; then ok "strace: the viewer's $reads preads of the file are all in resident pages"
    else not_ok "strace: the viewer's preads of the file are all in resident pages" \
        "$(printf '%s\n' "$bad" | head -5)" "($(printf '%s\n' "$bad" | wc -l) of $reads outside)"; fi
else
    skip "strace" "strace is not installed: the viewer's reads are not checked one by one"
fi
tm kill-session -t live

# ---- the tour, held at 10-mapped-array's stage --------------------------------
N=$(t_name)
mkdir -p "$D/tour"
tm new-session -d -s tour -x 120 -y 40 \
    "env LANG=$LANG_UTF8 LC_ALL=$LANG_UTF8 NO_COLOR=1 TMPDIR=$D/tour $TOUR -n $N --program 10; echo \"status=\$?\"; sleep 600"
wait_screen tour "the tour offers 10-mapped-array" "Space starts it" 20
tm send-keys -t tour Space
if wait_screen tour "10-mapped-array holds, the viewer on its 5 GiB file" "Hold 1 of 1" 60; then
    A=$(find "$D/tour" -name mmaplab-array.npy)
    sleep 1                           # its own faults' read-around, settled
    T0=$(res_bytes "$A")
    sleep 8
    T1=$(res_bytes "$A")
    no_growth "while the tour sits at the hold, the array file's resident bytes do not grow (fincore)" "$T0" "$T1"
fi
tm send-keys -t tour q
until_screen tour "^status=" 20
screen_has tour "the tour ends with status 0" "^status=0$"
tm kill-session -t tour

# ---- a shared memory object: its holes stay holes -----------------------------
N=$(t_name)
S=/dev/shm/${N#/}
truncate -s 64M "$S"
"$PC" write "$S" 0 100 5000
S0=$("$SEEK" "$S")
SB0=$(res_bytes "$S")
tm new-session -d -s shm -x 120 -y 40 \
    "env LANG=$LANG_UTF8 LC_ALL=$LANG_UTF8 NO_COLOR=1 $MV --interval 50 --page 7 $N; echo \"status=\$?\"; sleep 600"
wait_screen shm "the viewer on a sparse shared memory object: a hole is zeros, not read" \
    "Page 7 at 0x7000: 4096 bytes, a hole" 20
tm send-keys -t shm / n o l o a d Space p a g e Space 5 0 0 0 Enter
wait_screen shm "...a search finds text on page 5000" "found at 0x1388008, page 5000" 30
tm send-keys -t shm / z q x - a b s e n t Enter
wait_screen shm "...and goes through the holes without reading them" \
    "not found in the pages that can be read: zqx-absent" 30
sleep 3
tm send-keys -t shm q
until_screen shm "^status=" 20
expect_eq "the object's allocation is the same (st_blocks, SEEK_DATA)" "$S0" "$("$SEEK" "$S")"
no_growth "...and its resident bytes have not grown (fincore)" "$SB0" "$(res_bytes "$S")"
tm kill-session -t shm
rm -f "$S"

done_testing
