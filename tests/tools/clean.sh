#!/bin/bash
# clean.sh — `mmaplab clean` keeps what is in use and removes what is not:
# names that are patterns to grep ([, \, ., a newline) are compared
# exactly; a mapping or a descriptor of another user's process, which the
# owner cannot see, keeps the object unless --force; /proc is read once for
# thirty objects; --dry-run says what would go and what would stay; no
# control byte of a name reaches the terminal.
#
# It runs in a mount namespace of its own with a fresh tmpfs on /dev/shm,
# so that clean sees this test's objects only and cannot remove anyone
# else's (other processes stay visible in /proc: they map other files).
# (As tests/lib.sh's in_own_mounts does, only /dev/shm's mount is made
# private: unshare's default starts at /, which a chroot refuses.)
if [ -z "${MMAPLAB_CLEAN_NS:-}" ] && [ "$(id -u)" = 0 ] &&
   unshare -m --propagation unchanged sh -c 'mount --make-rprivate /dev/shm' 2>/dev/null; then
    MMAPLAB_CLEAN_NS=1 exec unshare -m --propagation unchanged sh -c \
        'mount --make-rprivate /dev/shm && exec bash "$0" "$@"' "$0" "$@"
fi
. "$(dirname "$0")/../lib.sh"

if [ -z "${MMAPLAB_CLEAN_NS:-}" ] || ! mount -t tmpfs -o mode=1777 tmpfs /dev/shm; then
    skip "mmaplab clean" "needs root and a private mount namespace (unshare -m) for its own /dev/shm"
    stop_here
fi

# The holders: 02-map holds with the object mapped and open.
held=0
hold_map() {   # hold_map KEY NAME: until `finish KEY`
    local key=$1 name=$2 tr=$T_SCRATCH/pub/trace-$1.jsonl; shift 2
    : >"$tr"; chmod 666 "$tr"
    start_held "$key" "$@" "$PUB/02-map" -n "$name" --trace "$tr"
    wait_event "$tr" 02-map hold || echo "# $key did not reach its hold: $(err_of "$key")"
}
# map_only KEY NAME: a process that maps the object and has closed its
# descriptor, so that only /proc/PID/maps shows it (python3, which the
# tests already need; else 02-map, which keeps the descriptor too).
map_only() {
    local key=$1 name=$2
    if need_tool python3; then
        start_held "$key" python3 -c '
import mmap, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
m = mmap.mmap(fd, 0)
os.close(fd)
print("mapped", flush=True)
sys.stdin.readline()' "/dev/shm/${name#/}"
        for _ in $(seq 100); do [ -s "$T_SCRATCH/$key.out" ] && break; sleep 0.1; done
    else
        hold_map "$key" "$name"
    fi
}
exists() { [ -e "/dev/shm/${1#/}" ]; }
ctl_bytes() { LC_ALL=C tr -d '\n\040-\176' | wc -c; }

mkdir -p "$T_SCRATCH/pub" && chmod 1777 "$T_SCRATCH/pub"
PUB=$(t_public_bin)
cp -p "$BIN/mmaplab" "$BIN/mmaplab-clean" "$PUB/"
P=/$PREFIX-clean

# ---- names that are patterns, and a look-alike --------------------------
for n in "$P[x" "$P\\x" "$P"$'\n'nl "$P-aXb" "$P-a.b" "$P-unused"; do
    "$BIN/01-create" -q -n "$n" --trace off || not_ok "01-create $n"
done
map_only br "$P[x"
map_only bs "$P\\x"
map_only nl "$P"$'\n'nl
hold_map ax "$P-aXb"
out=$("$BIN/mmaplab" clean --dry-run 2>&1)
expect_match "--dry-run: the mapped [ name would be kept, with its user" \
    "^  would keep +$P\[x  \(root, 256 bytes, .*in use by pid $(pid_of br)\)$" "$out"
expect_match "--dry-run: the unused look-alike of a mapped name would be removed" \
    "^  would remove $P-a\.b  \(root, 256 bytes, [^;]*\)$" "$out"
expect_match "--dry-run: the summary counts what goes and what stays" \
    "^6 objects of yours: 2 would be removed, 4 kept \(4 in use, 0 maybe in use\); run 'mmaplab clean' to remove them$" "$out"
check "--dry-run removed nothing" exists "$P-a.b"
out=$("$BIN/mmaplab" clean 2>&1)
check "an object named with [ and mapped is kept" exists "$P[x"
check "an object named with \\ and mapped is kept" exists "$P\\x"
check "an object named with a newline and mapped is kept" exists "$P"$'\n'nl
check "the mapped $P-aXb is kept" exists "$P-aXb"
check "its unused look-alike $P-a.b is removed" test ! -e "/dev/shm/${P#/}-a.b"
check "an unused object is removed" test ! -e "/dev/shm/${P#/}-unused"
expect_match "the newline in a name is shown escaped" "^  kept     $P\\\\nnl  \(root" "$out"
expect_match "the summary says what was kept and why" \
    "^2 removed, 4 kept \(4 in use, 0 maybe in use\), 0 could not be removed$" "$out"
for k in br bs nl ax; do finish "$k"; done

# ---- a descriptor alone, or a mapping alone, keeps it too ---------------
"$BIN/01-create" -q -n "$P-fd" --trace off
"$BIN/01-create" -q -n "$P-map" --trace off
sleep 300 7<"/dev/shm/${P#/}-fd" &
fdpid=$!; t_bg $fdpid
map_only mp "$P-map"
out=$("$BIN/mmaplab" clean 2>&1)
expect_match "an object only held open (fd) is kept" "^  kept     $P-fd .*in use by pid $fdpid;" "$out"
expect_match "an object only mapped (fd closed) is kept" "^  kept     $P-map .*in use by pid $(pid_of mp);" "$out"
kill $fdpid; wait $fdpid 2>/dev/null
finish mp

# ---- a hostile name: no control byte reaches the terminal ---------------
bad="$P"$'\e]0;PWNED\a\e[2J\e[31m'$'\xc2\x9b'
"$BIN/01-create" -q -n "$bad" --trace off
out=$("$BIN/mmaplab" clean --dry-run 2>&1)
expect_eq "clean --dry-run prints no control byte of a name" 0 "$(printf '%s' "$out" | ctl_bytes)"
expect_match "...it shows it escaped as the programs do" \
    "would remove $P\\\\x1b\]0;PWNED\\\\x07\\\\x1b\[2J\\\\x1b\[31m\\\\xc2\\\\x9b " "$out"
out=$("$BIN/mmaplab" run $'\e[2Jnothing' 2>&1)
expect_eq "mmaplab run prints no control byte of its argument" 0 "$(printf '%s' "$out" | ctl_bytes)"

# ---- thirty objects: /proc is read once ---------------------------------
if need_tool strace; then
    for i in $(seq 30); do "$BIN/01-create" -q -n "$P-many-$i" --trace off; done
    nproc=$(ls -d /proc/[0-9]* 2>/dev/null | wc -l)
    strace -f -qq -e trace=openat -o "$T_SCRATCH/strace" "$BIN/mmaplab" clean >/dev/null 2>&1
    opens=$(grep -cE 'openat\(.*("maps"|/proc/[0-9]+/maps)' "$T_SCRATCH/strace")
    # Once per process: processes come and go meanwhile, so up to twice the
    # count seen before (one scan per object would be thirty times it).
    expect_eq "thirty objects: /proc is scanned once ($opens maps read, $nproc processes)" \
        yes "$([ "$opens" -gt 0 ] && [ "$opens" -le $((nproc * 2)) ] && echo yes || echo no)"
    check "...and the thirty are removed" test -z "$(ls /dev/shm | grep -- -many-)"
else
    skip "thirty objects" "strace is not installed"
fi

# ---- another user's mapping, which the owner's clean cannot see ---------
made_users=()
for u in mmaplab-t-a mmaplab-t-b; do
    id "$u" >/dev/null 2>&1 || { useradd -M -r -s /usr/sbin/nologin "$u" 2>/dev/null && made_users+=("$u"); }
done
remove_users() { local u; for u in "${made_users[@]}"; do userdel "$u" 2>/dev/null; done; }
trap 't_cleanup; remove_users' EXIT
if id mmaplab-t-a >/dev/null 2>&1 && id mmaplab-t-b >/dev/null 2>&1; then
    as_user mmaplab-t-a "$PUB/01-create" -q -n "$P-shared" --trace off
    chmod 666 "/dev/shm/${P#/}-shared"      # so that the other user may map it
    tr=$T_SCRATCH/pub/trace-other.jsonl; : >"$tr"; chmod 666 "$tr"
    start_held other as_user mmaplab-t-b "$PUB/02-map" -n "$P-shared" --trace "$tr"
    wait_event "$tr" 02-map hold || echo "# the other user's 02-map did not hold: $(err_of other)"
    out=$(as_user mmaplab-t-a "$PUB/mmaplab" clean 2>&1)
    check "the owner's clean keeps an object another user's process maps" exists "$P-shared"
    expect_match "...and says processes could not be inspected" \
        "^note: [0-9]+ process(es)? could not be inspected" "$out"
    expect_match "...and why it kept it" \
        "^  kept     $P-shared  \(mmaplab-t-a, 256 bytes, .*may be in use: a process that could open it could not be inspected; --force removes it anyway\)$" "$out"
    out=$("$BIN/mmaplab" clean --all-users --dry-run 2>&1)
    expect_match "root sees the other user's mapping" \
        "^  would keep +$P-shared .*in use by pid [0-9]+\)$" "$out"
    out=$(as_user mmaplab-t-a "$PUB/mmaplab" clean --force 2>&1)
    check "--force removes it" test ! -e "/dev/shm/${P#/}-shared"
    expect_match "...and says so" "^  removed  $P-shared " "$out"
    finish other
else
    skip "another user's mapping" "could not create the users mmaplab-t-a and mmaplab-t-b"
fi

# ---- nothing left behind ------------------------------------------------
"$BIN/mmaplab" clean --all-users >/dev/null 2>&1
expect_eq "nothing is left in this test's /dev/shm" "" "$(ls -A /dev/shm)"
done_testing
