#!/bin/bash
# An object owned by another user with mode 0600, opened as that other
# user: EACCES, with the owner and mode named.  Needs root to switch users.
. "$(dirname "$0")/../lib.sh"

if ! is_root || ! id nobody >/dev/null 2>&1; then
    skip "object of another user" "needs root and the user nobody to switch users"
    stop_here
fi
PUB=$(t_public_bin)
N=$(t_name); F=/dev/shm/${N#/}
"$BIN/01-create" -n "$N" >/dev/null
for p in 04-open 03-copy 02-map 05-close; do
    out=$(as_user nobody "$PUB/$p" -n "$N" --no-hold --trace off 2>&1 </dev/null); rc=$?
    expect_eq "$p as nobody on root's 0600 object exits 1" 1 "$rc"
    expect_match "$p: EACCES is explained" "shm_open failed: EACCES \(Permission denied\)" "$out"
    expect_match "$p: the hint names the owner and the mode" "is owned by root \(uid 0\), mode 0600" "$out"
done
check "root's object is untouched by nobody's attempts" test -f "$F"
out=$(as_user nobody "$PUB/01-create" -n "$N" --trace off 2>&1); rc=$?
expect_eq "nobody's 01-create on root's name exits 1" 1 "$rc"
expect_match "...EEXIST names root as the owner" "owned by root \(uid 0\), mode 0600" "$out"
"$BIN/05-close" -n "$N" >/dev/null 2>&1

# The other way round: nobody's object, which root may open (root bypasses
# the mode), and which the teacher's clean finds by owner.
N=$(t_name)
as_user nobody "$PUB/01-create" -n "$N" --trace off >/dev/null 2>&1
expect_eq "nobody can create an object" "nobody 600" "$(stat -c '%U %a' "/dev/shm/${N#/}" 2>&1)"
out=$(MMAPLAB_NAME="$N" "$BIN/mmaplab" clean --user nobody --dry-run)
expect_match "mmaplab clean --user nobody --dry-run lists it" "^  would remove $N +\(nobody, 256 bytes" "$out"
out=$(MMAPLAB_NAME="$N" "$BIN/mmaplab" clean --user nobody)
expect_match "mmaplab clean --user nobody removes it (as root)" "^  removed +$N" "$out"
check "...and it is gone" test ! -e "/dev/shm/${N#/}"

done_testing
