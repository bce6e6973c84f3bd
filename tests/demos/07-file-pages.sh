#!/bin/bash
# 07-file-pages: two processes map one file; the second writes, the first
# sees it through its view and read(2); one physical frame.  Checked from
# outside: both processes' /proc/PID/pagemap read by the test itself, the
# file's bytes, smaps after msync; and the no-capability path (frames
# hidden, the exclusive bit instead), as root without CAP_SYS_ADMIN and as
# nobody.
. "$(dirname "$0")/../lib.sh"

TC=$TOOLS/tracecheck

# ---- as a student runs it (with CAP_SYS_ADMIN when the test has it) --------
D=$T_SCRATCH/d; mkdir -p "$D"; F=$D/mmaplab-pages.dat
TR=$(t_trace); MSG="written by the second process, test $$"
start_held p "$BIN/07-file-pages" -d "$D" -m "$MSG" --trace "$TR"
PP=$(pid_of p)
if wait_event "$TR" 07-file-pages hold; then
    CP=$("$TC" get "$TR" --pid "$PP" --call fork ret)
    PA=$("$TC" get "$TR" --pid "$PP" --call mmap addr | head -n 1)
    CA=$("$TC" get "$TR" --pid "$CP" --call mmap addr)
    a=$(pm "$PP" "$PA"); b=$(pm "$CP" "$CA")
    expect_eq "from outside: the page is present in both processes" "present=1 present=1" \
        "$(bits "$a" | cut -d' ' -f1) $(bits "$b" | cut -d' ' -f1)"
    expect_eq "from outside: the page is not exclusively mapped in either" "exclusive=0 exclusive=0" \
        "$(bits "$a" | cut -d' ' -f3) $(bits "$b" | cut -d' ' -f3)"
    if have_caps; then
        check "from outside: both views use one physical frame ($(printf '%#x' "$(pfn "$a")"))" \
            test "$(pfn "$a")" -ne 0 -a "$(pfn "$a")" -eq "$(pfn "$b")"
        expect_match "the program names that frame and says it is the same" \
            "use the SAME physical frame, $(printf '%#x' "$(pfn "$a")")" "$(out_of p)"
    else
        skip "compare frames from outside" "the test runs without CAP_SYS_ADMIN"
    fi
    expect_eq "from outside: read(2) of the file gives the second process's bytes" "$MSG" \
        "$(head -c ${#MSG} "$F")"
    if [ "$(stat -f -c %T "$D")" = tmpfs ]; then
        skip "msync cleaned the page" "$D is on tmpfs, where msync has nothing to write"
    else
        expect_eq "from outside: after msync the page is clean in the first process (smaps Shared_Dirty)" \
            0 "$(smaps_field "$PP" "$PA" Shared_Dirty)"
    fi
else
    not_ok "07-file-pages reaches its hold" "$(out_of p; err_of p)"
fi
finish p
expect_eq "07-file-pages exits 0" 0 "$T_STATUS"
out=$(out_of p)
expect_match "the first process sees the message through its view" "its own view at 0x[0-9a-f]+ holds \"$MSG\"" "$out"
expect_match "...and through read(2)" "read\(2\) returns \"$MSG\"" "$out"
expect_match "an offset that is not a page multiple fails with EINVAL" \
    "mmap\(NULL, $PS, PROT_READ, MAP_SHARED, [0-9]+, $((PS + 100))\) = MAP_FAILED EINVAL" "$out"
expect_eq "...traced as expected" "EINVAL true" \
    "$("$TC" get "$TR" --pid "$PP" --call mmap errno | sed -n 2p) $("$TC" get "$TR" --pid "$PP" --call mmap expected | sed -n 2p)"
expect_match "rounding the offset down finds the bytes" "offset $((PS + 100)) is at view \+ 100: \"found at offset page\+100\"" "$out"
expect_match "msync's promise is stated" "MS_SYNC returns once the dirty pages are written" "$out"
check "the trace is well-formed" "$TC" validate "$TR"
check "the file is deleted at the end" test ! -e "$F"

# ---- root without CAP_SYS_ADMIN: frames hidden, never "equal" -------------
if is_root && need_tool setpriv; then
    TR=$(t_trace)
    start_held nocap setpriv --bounding-set=-sys_admin "$BIN/07-file-pages" -d "$D" --trace "$TR"
    if wait_event "$TR" 07-file-pages hold; then
        PP=$(pid_of nocap)
        CP=$("$TC" get "$TR" --pid "$PP" --call fork ret)
        a=$(pm "$PP" "$("$TC" get "$TR" --pid "$PP" --call mmap addr | head -n 1)")
        b=$(pm "$CP" "$("$TC" get "$TR" --pid "$CP" --call mmap addr)")
        check "from outside, with the capability: the frames are in fact equal" \
            test "$(pfn "$a")" -ne 0 -a "$(pfn "$a")" -eq "$(pfn "$b")"
    else
        not_ok "07-file-pages without CAP_SYS_ADMIN reaches its hold" "$(out_of nocap; err_of nocap)"
    fi
    finish nocap
    out=$(out_of nocap)
    expect_eq "without CAP_SYS_ADMIN it exits 0" 0 "$T_STATUS"
    expect_match "without CAP_SYS_ADMIN it says the frames are hidden, not equal" \
        "frame numbers are hidden .*0 means hidden, never equal" "$out"
    expect_no_match "...and never claims the same frame" "SAME physical frame" "$out"
    expect_match "...and shows the exclusive bit instead: mapped elsewhere, in both" \
        "this process: frame hidden, file or shared page, mapped elsewhere too; the second process: frame hidden, file or shared page, mapped elsewhere too" "$out"

    PB=$(t_public_bin); ND=$T_SCRATCH/nobody; mkdir -p "$ND"; chmod 777 "$ND"
    out=$(as_user nobody "$PB/07-file-pages" -d "$ND" --no-hold --trace off </dev/null 2>&1); rc=$?
    expect_eq "as nobody it exits 0" 0 "$rc"
    expect_match "as nobody the frames are hidden too" "frame numbers are hidden" "$out"
    check "as nobody it leaves no file" test ! -e "$ND/mmaplab-pages.dat"
else
    skip "the no-capability path" "needs root and setpriv to drop CAP_SYS_ADMIN"
fi

# ---- errors: nothing made, nothing of someone else's removed ---------------
out=$("$BIN/07-file-pages" -d "$T_SCRATCH/missing" --no-hold </dev/null 2>&1); rc=$?
expect_eq "a directory that does not exist: exit 1" 1 "$rc"
expect_match "...with ENOENT explained" "open failed: ENOENT" "$out"
echo mine > "$F"
out=$("$BIN/07-file-pages" -d "$D" --no-hold </dev/null 2>&1); rc=$?
expect_eq "a file already there: exit 1 (EEXIST)" "1" "$rc"
expect_eq "...and the file is left as it was" mine "$(cat "$F")"
rm -f "$F"

done_testing
