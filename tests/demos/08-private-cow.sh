#!/bin/bash
# 08-private-cow: before the write the private view and another process's
# shared view are on one frame; after it the private view has its own
# (anonymous, exclusive) page, the other process and the file keep the old
# bytes.  Checked from outside at both holds: the pagemap of both processes,
# the private view's smaps, the file's bytes; and without CAP_SYS_ADMIN.
. "$(dirname "$0")/../lib.sh"

TC=$TOOLS/tracecheck

D=$T_SCRATCH/d; mkdir -p "$D"; F=$D/mmaplab-cow.dat
TR=$(t_trace)
start_held p "$BIN/08-private-cow" -d "$D" --trace "$TR"
PP=$(pid_of p)
if wait_event "$TR" 08-private-cow hold; then
    CP=$("$TC" get "$TR" --pid "$PP" --call fork ret)
    V=$("$TC" get "$TR" --pid "$PP" --call mmap addr)
    S=$("$TC" get "$TR" --pid "$CP" --call mmap addr)
    a=$(pm "$PP" "$V"); b=$(pm "$CP" "$S")
    expect_eq "before the write, from outside: the private view is the file's page, mapped twice" \
        "present=1 file=1 exclusive=0" "$(bits "$a")"
    expect_eq "...and so is the other process's shared view" "present=1 file=1 exclusive=0" "$(bits "$b")"
    if have_caps; then
        check "before the write, from outside: one physical frame for both views" \
            test "$(pfn "$a")" -ne 0 -a "$(pfn "$a")" -eq "$(pfn "$b")"
    else
        skip "compare frames from outside" "the test runs without CAP_SYS_ADMIN"
    fi
    expect_eq "before the write: the private view's smaps has no private page (Private_Dirty)" 0 \
        "$(smaps_field "$PP" "$V" Private_Dirty)"
else
    not_ok "08-private-cow reaches its first hold" "$(out_of p; err_of p)"
fi
release p
if wait_event "$TR" 08-private-cow hold 2; then
    a=$(pm "$PP" "$V"); b=$(pm "$CP" "$S")
    expect_eq "after the write, from outside: the private view is an anonymous page of its own" \
        "present=1 file=0 exclusive=1" "$(bits "$a")"
    expect_eq "...while the shared view is still the file's page" "present=1 file=1" "$(bits "$b" | cut -d' ' -f1-2)"
    if have_caps; then
        check "after the write, from outside: two different frames" \
            test "$(pfn "$a")" -ne 0 -a "$(pfn "$b")" -ne 0 -a "$(pfn "$a")" -ne "$(pfn "$b")"
    fi
    expect_eq "after the write: the copy shows in smaps as Private_Dirty" $((PS / 1024)) \
        "$(smaps_field "$PP" "$V" Private_Dirty)"
    expect_eq "from outside: the file is unchanged" "the file's original text" "$(head -c 24 "$F")"
else
    not_ok "08-private-cow reaches its second hold" "$(out_of p; err_of p)"
fi
finish p
expect_eq "08-private-cow exits 0" 0 "$T_STATUS"
out=$(out_of p)
expect_match "before the write the program reports the same frame" "SAME physical frame" "$out"
expect_match "after the write it reports different frames" "DIFFERENT physical frames" "$out"
expect_match "the private view reads its own write" "private view reads \"changed in the private view\"" "$out"
expect_match "the other process still reads the old bytes" "shared view still reads \"the file's original text\"" "$out"
expect_match "the file still reads the old bytes" "the file still reads \"the file's original text\"" "$out"
check "the trace is well-formed" "$TC" validate "$TR"
check "the file is deleted at the end" test ! -e "$F"

# ---- without CAP_SYS_ADMIN: the page's kind and the exclusive bit tell it ----
if is_root && need_tool setpriv; then
    out=$(setpriv --bounding-set=-sys_admin "$BIN/08-private-cow" -d "$D" --no-hold --trace off </dev/null 2>&1); rc=$?
    expect_eq "without CAP_SYS_ADMIN it exits 0" 0 "$rc"
    expect_no_match "...never claims equal or different frames" "SAME|DIFFERENT" "$out"
    expect_match "...before the write: a file page, mapped elsewhere too" \
        "the private view: frame hidden, file or shared page, mapped elsewhere too" "$out"
    expect_match "...after the write: an anonymous page, exclusively mapped" \
        "the private view: frame hidden, anonymous page, exclusively mapped" "$out"
    PB=$(t_public_bin); ND=$T_SCRATCH/nobody; mkdir -p "$ND"; chmod 777 "$ND"
    out=$(as_user nobody "$PB/08-private-cow" -d "$ND" --no-hold --trace off </dev/null 2>&1); rc=$?
    expect_eq "as nobody it exits 0 and says the frames are hidden" "0 yes" \
        "$rc $(printf '%s\n' "$out" | grep -q 'frame numbers are hidden' && echo yes)"
    check "as nobody it leaves no file" test ! -e "$ND/mmaplab-cow.dat"
else
    skip "the no-capability path" "needs root and setpriv to drop CAP_SYS_ADMIN"
fi

done_testing
