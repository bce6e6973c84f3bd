#!/bin/bash
# truth: what 02-05 say about the object is what is true at that moment,
# when someone else acted on it while they held, or when they run alone.
. "$(dirname "$0")/../lib.sh"

# 03-copy holds; 05-close removes the name meanwhile; 03-copy must not
# say the name still stands, and 04-open indeed finds nothing.
N=$(t_name); TR=$(t_trace)
"$BIN/01-create" -q -n "$N" --trace off
start_held c "$BIN/03-copy" -n "$N" --trace "$TR"
if wait_event "$TR" 03-copy hold; then
    "$BIN/05-close" -q -n "$N" --trace off >/dev/null
    finish c
    expect_eq "03-copy ends well after the name was removed" 0 "$T_STATUS"
    out=$(out_of c)
    expect_no_match "...and does not say the name still stands" "name still stands" "$out"
    expect_no_match "...nor that the message outlives it" "outlives this program" "$out"
    expect_match "...it says the name was removed while it held" \
        "was removed while this program held" "$out"
    expect_match "...and that nobody else maps it, so it is freed" "freed now" "$out"
    "$BIN/04-open" -q -n "$N" --no-hold --trace off >/dev/null 2>&1
    expect_eq "from outside: 04-open then fails, as said" 1 "$?"
else
    not_ok "03-copy reached its hold" "$(err_of c)"
fi

# 02-map after an early unlink.
N=$(t_name); TR=$(t_trace)
"$BIN/01-create" -q -n "$N" --trace off
start_held m "$BIN/02-map" -n "$N" --trace "$TR"
if wait_event "$TR" 02-map hold; then
    "$BIN/05-close" -q -n "$N" --trace off >/dev/null
    finish m
    out=$(out_of m)
    expect_no_match "02-map does not say the name stays after an unlink" "its name stay" "$out"
    expect_match "...it says the name is gone" "name is gone" "$out"
else
    not_ok "02-map reached its hold" "$(err_of m)"
fi

# 04-open alone: no first process maps the page.
N=$(t_name)
"$BIN/01-create" -q -n "$N" --trace off
"$BIN/03-copy" -q -n "$N" --no-hold --trace off
out=$("$BIN/04-open" -n "$N" --no-hold --trace off 2>&1)
expect_no_match "04-open alone does not say both processes map the page" "both processes" "$out"
expect_no_match "...nor to press Enter in a first process" "first process too" "$out"
expect_match "...it says only it maps the page" "only this process maps the page" "$out"

# 04-open while 03-copy holds: both map it, and the first is named.
TR=$(t_trace)
start_held c2 "$BIN/03-copy" -n "$N" --trace "$TR"
if wait_event "$TR" 03-copy hold; then
    out=$("$BIN/04-open" -n "$N" --no-hold --trace off 2>&1)
    expect_match "04-open with 03-copy holding names it as the other mapper" \
        "this process and 1 other \(pid $(pid_of c2)\) map the page" "$out"
    expect_match "...and asks for Enter in it" "first process too \(pid $(pid_of c2)\)" "$out"
    finish c2
else
    not_ok "03-copy reached its hold" "$(err_of c2)"
fi
rm -f "/dev/shm/${N#/}"

# An object larger than the address space: 02-map says so, not ulimit -v;
# 05-close removes it and its status says how it went.
N=$(t_name)
"$BIN/01-create" -q -n "$N" -s 99999999G --trace off
err=$("$BIN/02-map" -q -n "$N" --no-hold --trace off 2>&1 >/dev/null)
expect_match "02-map: the view is larger than the address space" \
    "address space in all: no process can map an object that large" "$err"
if [ "$(ulimit -v)" = unlimited ]; then
    expect_no_match "...and no word of ulimit -v, which is unlimited" "ulimit" "$err"
fi
out=$("$BIN/05-close" -q -n "$N" --trace off 2>&1)
rc=$?
if [ -n "$(printf '%s\n' "$out" | grep error)" ]; then
    expect_eq "05-close: an error said means a failed status" 1 "$rc"
else
    expect_eq "05-close: no error said, status 0" 0 "$rc"
fi
check "from outside: the name is gone" test ! -e "/dev/shm/${N#/}"

# --count names the range it takes.
err=$("$BIN/10-mapped-array" --count -5 --trace off 2>&1)
expect_match "--count -5: the range starts at 1, not 0" "not a whole number \(1 to" "$err"

# ---- one of a thing is not "1 things" --------------------------------------
out=$("$BIN/09-reserve-grow" -n "$(t_name)" -r 1M -g 4k --steps 1 --no-hold --trace off </dev/null 2>&1)
expect_match "09: one page touched is 'touched 1 page', with its faults counted right" \
    "touched 1 page: [0-9]+ minor fault(s)?$" "$out"
expect_no_match "...never '1 pages' or '1 faults'" "\b1 (pages|faults)\b" "$out"
out=$("$BIN/11-robust-mutex" -n "$(t_name)" -w 2 -i 100 --kills 1 --no-hold --trace off </dev/null 2>&1)
expect_match "11: 'after 1 kill'" "consistent after 1 kill:" "$out"

done_testing
