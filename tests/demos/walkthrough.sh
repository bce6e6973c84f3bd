#!/bin/bash
# The walkthrough 01-05 run as a student runs it, checked from outside:
# /dev/shm, /proc/PID/maps of the holding programs, the object's bytes, and
# the trace.
. "$(dirname "$0")/../lib.sh"

N=$(t_name)
TR=$(t_trace)
F=/dev/shm/${N#/}
MSG="Hello from the test, $$"

# ---- 01-create ---------------------------------------------------------
out=$("$BIN/01-create" -n "$N" --trace "$TR" 2>&1); rc=$?
expect_eq "01-create exits 0" 0 "$rc"
check "01-create leaves the object in /dev/shm" test -f "$F"
expect_eq "the object is 256 bytes, mode 0600, owned by the user" \
    "256 600 $(id -un)" "$(stat -c '%s %a %U' "$F" 2>&1)"
expect_match "01-create narrates shm_open with its real arguments and result" \
    "shm_open\(\"$N\", O_CREAT \| O_EXCL \| O_RDWR, 0600\) = [0-9]+ .*\[Win32: CreateFileMapping\(INVALID_HANDLE_VALUE" "$out"
expect_match "01-create narrates ftruncate to 256" "ftruncate\([0-9]+, 256\) = 0" "$out"
expect_match "01-create ends by saying what to look at next" "^Next: .*ls -l /dev/shm" "$out"

# ---- 02-map, held: the mapping is in /proc/PID/maps ----------------------
TR2=$(t_trace)      # 02-map is not part of the two-process comparison below
start_held map "$BIN/02-map" -n "$N" --trace "$TR2"
if wait_event "$TR2" 02-map hold; then
    maps=$(grep -F "$F" "/proc/$(pid_of map)/maps")
    expect_match "while 02-map holds, /proc/PID/maps shows a shared rw mapping of the object" \
        "^[0-9a-f]+-[0-9a-f]+ rw-s 00000000 .* $F\$" "$maps"
else
    not_ok "02-map reaches its hold point" "$(out_of map; err_of map)"
fi
finish map
expect_eq "02-map exits 0 after Enter" 0 "$T_STATUS"

# ---- 03-copy holds while 04-open reads -----------------------------------
start_held first "$BIN/03-copy" -n "$N" -m "$MSG" --trace "$TR"
wait_event "$TR" 03-copy hold || not_ok "03-copy reaches its hold point" "$(out_of first; err_of first)"
expect_eq "the message is in the object's bytes, read from /dev/shm, NUL included" \
    "$MSG" "$(head -c $(( ${#MSG} + 1 )) "$F" | tr '\0' '#' | sed 's/#$//')"
expect_match "03-copy maps the object shared" " rw-s .* $F\$" "$(cat "/proc/$(pid_of first)/maps")"

start_held second "$BIN/04-open" -n "$N" --trace "$TR"
wait_event "$TR" 04-open hold || not_ok "04-open reaches its hold point" "$(out_of second; err_of second)"
expect_match "04-open prints the message it finds" "^$MSG\$" "$(out_of second)"
expect_match "04-open reports the size from fstat" "256 bytes \(st_size from fstat\)" "$(out_of second)"
both=0
for k in first second; do
    grep -q " rw-s .* $F\$" "/proc/$(pid_of $k)/maps" && both=$((both + 1))
done
expect_eq "both processes map the object at once" 2 "$both"

finish second
expect_eq "04-open exits 0 after Enter" 0 "$T_STATUS"
finish first
expect_eq "03-copy exits 0 after Enter" 0 "$T_STATUS"
check "the name survives 03-copy's exit" test -f "$F"
out=$("$BIN/04-open" -n "$N" --no-hold --trace "$TR" 2>&1)
expect_match "the message survives both programs" "^$MSG\$" "$out"

# ---- 05-close: the name is gone -------------------------------------------
out=$("$BIN/05-close" -n "$N" --trace "$TR" 2>&1); rc=$?
expect_eq "05-close exits 0" 0 "$rc"
check "after 05-close the name is gone from /dev/shm" test ! -e "$F"
expect_match "05-close shows shm_unlink" "shm_unlink\(\"$N\"\) = 0" "$out"
expect_match "05-close shows the name is gone: the expected ENOENT" \
    "shm_open\(\"$N\", O_RDWR, 0\) = -1 ENOENT .*" "$out"
expect_match "...and says the failure was the point" "^  expected: " "$out"

# ---- the trace ------------------------------------------------------------
TC=$TOOLS/tracecheck
check "every trace line is one JSON object with the keys and types of its event" "$TC" validate "$TR"
expect_eq "03-copy's events come in order" "start step call call step call step call hold resume step call step call exit" \
    "$("$TC" get "$TR" --prog 03-copy event | tr '\n' ' ' | sed 's/ $//')"
check "02-map's trace is well-formed too" "$TC" validate "$TR2"
expect_eq "every program records exit status 0" "0 0 0 0 0" \
    "$("$TC" get "$TR" --event exit status | tr '\n' ' ' | sed 's/ $//')"
expect_eq "01-create's shm_open pairs with CreateFileMapping" \
    "CreateFileMapping(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, BUF_SIZE, szName)" \
    "$("$TC" get "$TR" --prog 01-create --call shm_open win32)"
expect_eq "04-open's shm_open pairs with OpenFileMapping" \
    "OpenFileMapping(FILE_MAP_ALL_ACCESS, FALSE, szName)" \
    "$("$TC" get "$TR" --prog 04-open --call shm_open win32 | head -n 1)"
expect_eq "03-copy's memcpy pairs with CopyMemory and records where and how much" \
    "CopyMemory $(( ${#MSG} + 1 ))" \
    "$("$TC" get "$TR" --prog 03-copy --call memcpy win32 | cut -d'(' -f1) $("$TC" get "$TR" --prog 03-copy --call memcpy len)"
expect_match "mmap records its address as a hex string" '^0x[0-9a-f]+$' \
    "$("$TC" get "$TR" --prog 03-copy --call mmap addr)"
expect_eq "05-close's expected failure is traced as expected" "ENOENT true" \
    "$("$TC" get "$TR" --prog 05-close --call shm_open errno | tail -n 1) $("$TC" get "$TR" --prog 05-close --call shm_open expected | tail -n 1)"
# 01, 03, 04 and 05 as the two-process walkthrough: the steps the Win32 track must match.
expect_eq "the walkthrough's steps, in the order every process agrees on" \
    "create open map copy read unmap close" "$("$TC" steps "$TR")"

# The README's lab flow adds 02-map, which maps, holds and lets go before
# 03-copy: its unmap and close come first in time, yet the walkthrough's
# steps are the same.
N2=$(t_name); TR2=$(t_trace)
for p in 01-create 02-map 03-copy 04-open 05-close; do
    "$BIN/$p" -n "$N2" --no-hold --trace "$TR2" </dev/null >/dev/null 2>&1
done
expect_eq "with 02-map in the flow, the walkthrough's steps are the same" \
    "create open map copy read unmap close" "$("$TC" steps "$TR2")"
check "...and 05-close removed the name" test ! -e "/dev/shm/${N2#/}"

done_testing
