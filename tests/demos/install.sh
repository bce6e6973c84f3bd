#!/bin/bash
# make install / uninstall, and the mmaplab front door as a user meets it.
. "$(dirname "$0")/../lib.sh"

P=$T_SCRATCH/prefix
out=$(make -s -C "$ROOT" install PREFIX="$P" 2>&1); rc=$?
expect_eq "make install PREFIX=... succeeds" 0 "$rc"
[ $rc = 0 ] || echo "$out" | sed 's/^/# /'
for p in 01-create 02-map 03-copy 04-open 05-close; do
    check "$p is installed in libexec/mmaplab" test -x "$P/libexec/mmaplab/$p"
done
check "the front door is installed in bin" test -x "$P/bin/mmaplab"
expect_match "mmaplab list names the programs in order with what each does" \
    "^  01-create +create a named shared memory object" "$("$P/bin/mmaplab" list)"
expect_eq "mmaplab list starts at 01-create and keeps the order" "01-create 02-map 03-copy 04-open 05-close" \
    "$("$P/bin/mmaplab" list | awk '{print $1}' | grep -E '^0[1-5]-' | tr '\n' ' ' | sed 's/ $//')"

N=$(t_name)
out=$("$P/bin/mmaplab" run 01-create -n "$N" 2>&1)
check "mmaplab run 01-create runs the installed program" test -f "/dev/shm/${N#/}"
out=$("$P/bin/mmaplab" run 4 -n "$N" --no-hold 2>&1)
expect_match "mmaplab run 4 finds 04-open by its number" "^Message from first process\.\$|^$" "$out"
out=$("$P/bin/mmaplab" run close -n "$N" 2>&1)
check "mmaplab run close finds 05-close by its word" test ! -e "/dev/shm/${N#/}"
out=$("$P/bin/mmaplab" run 99-nothing 2>&1); rc=$?
expect_eq "mmaplab run of an unknown program exits 2" 2 "$rc"
expect_match "...and lists the programs there are" "^  01-create" "$out"

# The guided tour, installed: its text face runs to its end from anywhere,
# with the installed viewer's snapshots, and leaves nothing.
N=$(t_name)
out=$(cd "$T_SCRATCH" && env -u MMAPLAB_BIN -u MMAPLAB_VIEWER "$P/bin/mmaplab" tour --text -n "$N" </dev/null 2>&1); rc=$?
expect_eq "mmaplab tour --text runs the installed tour to its end" 0 "$rc"
expect_match "...with the installed viewer's snapshots" "^  state +live: the name leads to this object" "$out"
expect_match "...and ends saying so" "^Done: the walkthrough ran to its end" "$out"
check "...and its object is gone" test ! -e "/dev/shm/${N#/}"

# clean: the user's own leftovers, objects in use kept.  clean removes
# every leftover of this user's, other runs' too, so it runs on a /dev/shm
# of the test's own: a tmpfs in a mount namespace of its own.
if can_own_mounts; then
    A=$(t_name); B=$(t_name)
    out=$(in_own_mounts sh -c '
        bin=$1 front=$2 a=$3 b=$4 scratch=$5
        mount -t tmpfs -o size=1m,mode=1777 tmpfs /dev/shm || exit 97
        "$bin/01-create" -n "$a" >/dev/null || exit 98
        "$bin/01-create" -n "$b" >/dev/null || exit 98
        mkfifo "$scratch/clean-hold" && exec 3<>"$scratch/clean-hold"
        "$bin/02-map" -n "$b" --trace off <"$scratch/clean-hold" >"$scratch/clean-02.out" 2>&1 &
        user=$!
        i=0
        until grep -q "^\[hold\]" "$scratch/clean-02.out" 2>/dev/null; do
            i=$((i + 1)); [ $i -lt 200 ] || { kill $user; exit 99; }; sleep 0.05
        done
        echo "user $user"
        echo "== dry-run"; MMAPLAB_SHM_DIR=/dev/shm "$front" clean --dry-run
        [ -e "/dev/shm/${a#/}" ] && [ -e "/dev/shm/${b#/}" ] && echo "both still there"
        echo "== clean"; "$front" clean
        [ ! -e "/dev/shm/${a#/}" ] && [ -e "/dev/shm/${b#/}" ] && echo "the leftover gone, the one in use there"
        echo >&3; wait $user; exec 3>&-
        rm -f "/dev/shm/${b#/}"' sh "$BIN" "$P/bin/mmaplab" "$A" "$B" "$T_SCRATCH"); rc=$?
    expect_eq "clean's scene on a /dev/shm of its own ran to its end" 0 "$rc"
    user=$(printf '%s\n' "$out" | sed -n 's/^user //p')
    dry=$(printf '%s\n' "$out" | sed -n '/^== dry-run$/,/^== clean$/p')
    real=$(printf '%s\n' "$out" | sed -n '/^== clean$/,$p')
    expect_match "clean --dry-run lists a leftover object with owner and size" "^  would remove $A +\($(id -un), 256 bytes" "$dry"
    expect_match "clean --dry-run shows which object is in use, and by whom" "^  would keep +$B .*in use by pid ${user:-NONE}" "$dry"
    expect_match "clean --dry-run removes nothing" "^both still there$" "$dry"
    expect_match "clean removes the leftover" "^  removed +$A " "$real"
    expect_match "clean keeps the one in use, and says how to force it" "^  kept +$B .*--force" "$real"
    expect_match "...the leftover is gone and the one in use stays" "^the leftover gone, the one in use there$" "$real"
else
    skip "mmaplab clean, installed" "needs root and a mount namespace of its own (unshare)"
fi

out=$(make -s -C "$ROOT" uninstall PREFIX="$P" 2>&1)
left=$(find "$P" -type f 2>/dev/null | grep -v '/share/man/' )
expect_eq "make uninstall removes every program and the front door" "" "$left"

# DESTDIR stages the same layout under another root.
D=$T_SCRATCH/stage
make -s -C "$ROOT" install DESTDIR="$D" PREFIX=/usr >/dev/null 2>&1
check "DESTDIR: programs staged under DESTDIR/usr/libexec/mmaplab" test -x "$D/usr/libexec/mmaplab/03-copy"
expect_match "DESTDIR: the front door looks for programs in the final place" \
    "^LIBEXEC=/usr/libexec/mmaplab\$" "$(cat "$D/usr/bin/mmaplab")"

done_testing
