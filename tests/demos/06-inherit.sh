#!/bin/bash
# 06-inherit: the forked child's write is seen by the parent; exec closes
# the descriptor while FD_CLOEXEC is set (EBADF) and passes it once it is
# cleared; a reused number does not pass for the object; the anonymous
# shared page crosses fork.  Checked from outside: the exec'd child's
# /proc/PID/fd, the parent's fdinfo flags and maps, the object's bytes.
. "$(dirname "$0")/../lib.sh"

TC=$TOOLS/tracecheck
N=$(t_name); TR=$(t_trace); F=/dev/shm/${N#/}

start_held p "$BIN/06-inherit" -n "$N" --trace "$TR"
PP=$(pid_of p)
if wait_event "$TR" 06-inherit hold; then
    FD=$("$TC" get "$TR" --pid "$PP" --call shm_open ret)
    CP=$("$TC" get "$TR" --event hold pid | head -n 1)
    expect_match "the parent's shm_open set FD_CLOEXEC (F_GETFD = 1)" '^1$' \
        "$("$TC" get "$TR" --pid "$PP" --call fcntl ret | head -n 1)"
    check "the exec'd child is another process" test "$CP" != "$PP"
    expect_eq "from outside: the child's descriptor $FD is the object" "$F" "$(readlink "/proc/$CP/fd/$FD")"
    flags=$(sed -n 's/^flags:[[:space:]]*//p' "/proc/$PP/fdinfo/$FD")
    expect_eq "from outside: the parent's descriptor no longer has O_CLOEXEC (fdinfo flags $flags)" 0 \
        "$(( 8#$flags & 02000000 ))"
    expect_eq "from outside: the child wrote its reply into the object" "reply from exec'd child $CP" \
        "$(dd if="$F" bs=1 skip=128 count=64 2>/dev/null | tr -d '\0')"
else
    not_ok "the exec'd child reaches its hold" "$(out_of p; err_of p)"
fi
release p
if wait_event "$TR" 06-inherit hold 2; then
    maps=$(cat "/proc/$PP/maps")
    expect_match "from outside: the parent maps the named object shared" " rw-s .* $F\$" "$maps"
    expect_match "from outside: and the anonymous shared page (/dev/zero (deleted))" \
        " rw-s .* /dev/zero \(deleted\)\$" "$maps"
else
    not_ok "the parent reaches its hold" "$(out_of p; err_of p)"
fi
finish p
expect_eq "06-inherit exits 0" 0 "$T_STATUS"
out=$(out_of p)
FORKED=$("$TC" get "$TR" --pid "$PP" --call fork ret | head -n 1)
expect_match "the parent reads what the forked child wrote through the inherited view" \
    "parent reads through its own view: \"written by forked child $FORKED\"" "$out"
expect_eq "the forked child exited 0" 0 "$("$TC" get "$TR" --pid "$FORKED" --event exit status)"
ebadf=$("$TC" get "$TR" --call fstat errno | tr '\n' ' ')
expect_eq "exec'd children: EBADF while FD_CLOEXEC is set, the object after it is cleared" "EBADF 0 " "$ebadf"
expect_eq "...and the EBADF is traced as expected" "true" \
    "$("$TC" get "$TR" --call fstat expected | head -n 1)"
expect_match "the parent reads the exec'd child's reply" "reads the child's reply: \"reply from exec'd child [0-9]+\"" "$out"
expect_match "the anonymous page crosses fork" "parent reads: \"anonymous page, written by child [0-9]+\"" "$out"
expect_eq "every process of the run exits 0 (parent, forked child, two exec'd children)" "0 0 0 0" \
    "$("$TC" get "$TR" --event exit status | tr '\n' ' ' | sed 's/ $//')"
check "the trace is well-formed" "$TC" validate "$TR"
check "the name is removed at the end" test ! -e "$F"

# ---- a reused number must not pass for the inherited object -----------------
exec 7<"$ROOT/Makefile"
out=$("$BIN/06-inherit" -n "$(t_name)" --child "7:$(stat -c %d "$T_SCRATCH"):$(stat -c %i "$T_SCRATCH")" </dev/null 2>&1); rc=$?
exec 7<&-
expect_eq "a descriptor number open on something else is refused (exit 1)" 1 "$rc"
expect_match "...and explained as a reused number" "the number was reused, nothing was inherited" "$out"
out=$("$BIN/06-inherit" --child "9:1:2" --expect-closed </dev/null 2>&1); rc=$?
expect_eq "a closed number is EBADF, expected under --expect-closed (exit 0)" "0" "$rc"
out=$("$BIN/06-inherit" --child "bad" </dev/null 2>&1); rc=$?
expect_eq "a malformed --child is a usage error" 2 "$rc"

# ---- a taken name: EEXIST, and someone else's object is left alone ----------
N=$(t_name); F=/dev/shm/${N#/}
echo keep > "$F"
out=$("$BIN/06-inherit" -n "$N" --no-hold </dev/null 2>&1); rc=$?
expect_eq "06-inherit on a taken name exits 1" 1 "$rc"
expect_eq "...and leaves the existing object as it was" keep "$(cat "$F" 2>&1)"
rm -f "$F"

done_testing
