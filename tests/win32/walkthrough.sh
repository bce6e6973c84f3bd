#!/bin/bash
# The Win32 walkthrough under Wine, as a student runs it: first-process
# holds, second-process reads the message, both let go.  Then the lifetime
# rule the lessons depend on: the name dies with its last handle
# (ERROR_FILE_NOT_FOUND, 2), and creating a live name opens it
# (ERROR_ALREADY_EXISTS, 183).  One Wine prefix: the names are all distinct.
. "$(dirname "$0")/wine.sh"

w_ready || stop_here
w_prefix || stop_here

N=$(t_name); N=${N#/}
TR=$(t_trace); WTR=$(w_path "$TR")
MSG="Hello from the Win32 test, $$"

# ---- first-process holds, second-process reads ----------------------------
start_held first w_exec first-process.exe -n "$N" -m "$MSG" --trace "$WTR"
if w_wait_event "$TR" first-process hold 1 60; then
    ok "first-process reaches its hold point"
else
    not_ok "first-process reaches its hold point" "$(w_out first)" "$(w_errof first)"
fi
out=$(w_out first)
expect_match "first-process narrates CreateFileMapping with its real arguments" \
    "^  CreateFileMapping\(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 256, \"$N\"\) = 0x[0-9a-f]+   \[POSIX: shm_open\(" "$out"
expect_match "...MapViewOfFile" "^  MapViewOfFile\(hMapFile, FILE_MAP_ALL_ACCESS, 0, 0, 256\) = 0x[0-9a-f]+ " "$out"
expect_match "...CopyMemory of the message with its NUL" \
    "^  CopyMemory\(pBuf, \"$MSG\", $(( ${#MSG} + 1 ))\) = \(void\)   \[POSIX: memcpy" "$out"
expect_match "...and says what to do at the hold (output reached the pipe before the hold)" \
    "^\[hold\] run second-process now" "$out"
expect_no_match "a new name is not reported as existing" "ERROR_ALREADY_EXISTS" "$out"

start_held second w_exec second-process.exe -n "$N" --trace "$WTR"
if w_wait_event "$TR" second-process hold 1 60; then
    ok "second-process reaches its hold point while first-process holds"
else
    not_ok "second-process reaches its hold point while first-process holds" \
        "$(w_out second)" "$(w_errof second)"
fi
out=$(w_out second)
expect_match "second-process opens the mapping by name" \
    "^  OpenFileMapping\(FILE_MAP_ALL_ACCESS, FALSE, \"$N\"\) = 0x[0-9a-f]+   \[POSIX: shm_open\(name, O_RDWR, 0\)\]" "$out"
expect_match "second-process prints the message first-process copied" "^$MSG\$" "$out"
expect_eq "both are holding at once: two hold events, no resume yet" "2 0" \
    "$("$TOOLS/tracecheck" count "$TR" --event hold) $("$TOOLS/tracecheck" count "$TR" --event resume)"

finish second 60
expect_eq "second-process exits 0 after Enter" 0 "$T_STATUS"
expect_match "second-process unmaps and closes" \
    "^  CloseHandle\(hMapFile\) = TRUE   \[POSIX: close\(fd\)\]" "$(w_out second)"
out=$(w_run second-process.exe -n "$N" --no-hold --trace "$WTR"); rc=$?
expect_eq "with first-process still holding, the name still opens (exit 0)" 0 "$rc"
expect_match "...and the message is still there" "^$MSG\$" "$out"
out=$(unset DISPLAY WAYLAND_DISPLAY; w_run second-process.exe -n "$N" --box --no-hold); rc=$?
expect_eq "second-process --box with no desktop still ends cleanly (exit 0)" 0 "$rc"
expect_match "...showing the message on the console instead of the MessageBox" "$MSG\$" "$out"
finish first 60
expect_eq "first-process exits 0 after Enter" 0 "$T_STATUS"
expect_match "first-process closes its handle last" \
    "^  CloseHandle\(hMapFile\) = TRUE   \[POSIX: close\(fd\)\]" "$(w_out first)"

# ---- the lifetime: the name died with the last handle ---------------------
out=$(w_run second-process.exe -n "$N" --no-hold --trace "$WTR"); rc=$?
expect_eq "after first-process closed its last handle, second-process fails (exit 1)" 1 "$rc"
expect_match "...because OpenFileMapping fails with ERROR_FILE_NOT_FOUND (2)" \
    "^  OpenFileMapping\(FILE_MAP_ALL_ACCESS, FALSE, \"$N\"\) = NULL  GetLastError\(\) = 2 ERROR_FILE_NOT_FOUND " "$out"
expect_match "...explained: run first-process first, a Win32 name lives only while a handle is open" \
    "^second-process: next: no object named \"$N\" exists now: run first-process first.*lives only while" "$(w_err)"
expect_eq "...and traced with the error's name" "NULL ERROR_FILE_NOT_FOUND" \
    "$(w_get "$TR" ret --call OpenFileMapping | tail -n 1) $(w_get "$TR" errno --call OpenFileMapping | tail -n 1)"
expect_eq "...then an error event and exit status 1" "error 1" \
    "$(w_get "$TR" event | tail -n 2 | head -n 1) $(w_get "$TR" status --event exit | tail -n 1)"

# ---- a second CreateFileMapping on a live name -----------------------------
N2=$(t_name); N2=${N2#/}
TR2=$(t_trace); WTR2=$(w_path "$TR2")
start_held owner w_exec first-process.exe -n "$N2" -m "from the owner" --trace "$WTR2"
w_wait_event "$TR2" first-process hold 1 60 ||
    not_ok "the first creator holds" "$(w_out owner)" "$(w_errof owner)"
out=$(w_run first-process.exe -n "$N2" -m "from the second creator" --no-hold --trace "$WTR2"); rc=$?
expect_eq "CreateFileMapping on a live name succeeds (exit 0)" 0 "$rc"
expect_match "...returning the existing object, GetLastError() = 183 ERROR_ALREADY_EXISTS" \
    "^  CreateFileMapping\(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 256, \"$N2\"\) = 0x[0-9a-f]+  GetLastError\(\) = 183 ERROR_ALREADY_EXISTS" "$out"
expect_match "...and first-process says so, with the POSIX contrast" \
    "existed already: this handle opens that object.*O_EXCL would have failed with EEXIST" "$out"
expect_eq "the trace records 0 for the creator, ERROR_ALREADY_EXISTS for the second" \
    "0 ERROR_ALREADY_EXISTS" \
    "$(w_get "$TR2" errno --call CreateFileMapping | tr '\n' ' ' | sed 's/ $//')"
out=$(w_run second-process.exe -n "$N2" --no-hold --trace "$WTR2")
expect_match "one object: the second creator's message replaced the owner's" \
    "^from the second creator\$" "$out"
finish owner 60
expect_eq "the owner exits 0" 0 "$T_STATUS"
out=$(w_run second-process.exe -n "$N2" --no-hold --trace "$WTR2"); rc=$?
expect_eq "with every handle closed, that name is gone too" "1" "$rc"
expect_match "...ERROR_FILE_NOT_FOUND" "GetLastError\(\) = 2 ERROR_FILE_NOT_FOUND" "$out"

# ---- the trace of the walkthrough ------------------------------------------
check "the walkthrough's trace is valid" "$TOOLS/tracecheck" validate "$TR"
check "...and so is the second one's" "$TOOLS/tracecheck" validate "$TR2"
expect_eq "first-process's steps" "create map copy unmap close" \
    "$(w_get "$TR" step --prog first-process --event step | tr '\n' ' ' | sed 's/ $//')"
expect_eq "second-process's steps (its first run)" "open map read unmap close" \
    "$(w_get "$TR" step --prog second-process --event step | head -n 5 | tr '\n' ' ' | sed 's/ $//')"
expect_eq "the read step traces the printf it makes, paired with POSIX printf" \
    "printf printf(\"%s\\n\", addr)" \
    "$(w_get "$TR" call --step read | head -n 1) $(w_get "$TR" posix --step read | head -n 1)"
expect_eq "MapViewOfFile records the address it returned, the length and the offset" \
    "ok 256 0" \
    "$(w_get "$TR" addr --prog first-process --call MapViewOfFile | grep -Eq '^0x[0-9a-f]+$' && echo ok) $(w_get "$TR" len --prog first-process --call MapViewOfFile) $(w_get "$TR" offset --prog first-process --call MapViewOfFile)"
expect_eq "every run records its exit status: 0 0 0 1" "0 0 0 1" \
    "$(w_get "$TR" status --event exit | tr '\n' ' ' | sed 's/ $//')"

done_testing
