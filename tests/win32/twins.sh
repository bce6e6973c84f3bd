#!/bin/bash
# The Win32 twins of 06-12 under Wine: inheritance with both flags and its
# failure without either, the file views (copy-on-write leaves the file
# alone, a misaligned offset fails with 1132), the SEC_RESERVE commit seen
# from a second process, the abandoned mutex reported and repaired, and a
# ring in a section between two processes, woken by events.
# One Wine prefix: every object here has its own name or none.
#
# Not asserted, because Wine does not reproduce them (the lessons state them
# as Windows behaviour): touching an uncommitted SEC_RESERVE page faults, and
# creating a Global\ name needs SeCreateGlobalPrivilege.
. "$(dirname "$0")/wine.sh"

w_ready || stop_here
w_prefix || stop_here
TC=$TOOLS/tracecheck

# ---- inherit: both flags ------------------------------------------------------
TR=$(t_trace)
out=$(w_run inherit.exe -m "inherited $$" --trace "$(w_path "$TR")"); rc=$?
expect_eq "inherit with both flags exits 0" 0 "$rc"
expect_match "the handle is made inheritable" \
    'CreateFileMapping\(INVALID_HANDLE_VALUE, &sa \{bInheritHandle = TRUE\}, PAGE_READWRITE, 0, 256, NULL\) = 0x' "$out"
expect_match "the child is started with bInheritHandles = TRUE" \
    'CreateProcess\(NULL, cmdline, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi\) = TRUE' "$out"
hv=$(w_get "$TR" ret --call CreateFileMapping)
expect_match "the handle's value is on the child's command line" "^  cmdline: .* --child $hv\$" "$out"
ppid_=$(w_get "$TR" pid --event start | head -n 1)
cpid=$(w_get "$TR" pid --event start | sed -n 2p)
if [ -n "$cpid" ] && [ "$cpid" != "$ppid_" ]; then
    ok "a second process ran (pids $ppid_ and $cpid)"
else
    not_ok "a second process ran" "start events from: $(w_get "$TR" pid --event start | tr '\n' ' ')"
fi
expect_eq "in the child, MapViewOfFile of that same value succeeds" "0 $hv" \
    "$(w_get "$TR" errno --pid "$cpid" --call MapViewOfFile) $(w_get "$TR" args --pid "$cpid" --call MapViewOfFile | cut -d, -f1)"
expect_match "the child read the parent's message" "^inherited $$\$" "$out"
expect_match "the parent reads the child's reply from the same pages" \
    "^Reply from child process $cpid\\.\$" "$out"
check "inherit's trace is valid" "$TC" validate "$TR"

# ---- inherit: without either flag --------------------------------------------
for flag in --no-sa-inherit --no-cp-inherit; do
    TR=$(t_trace)
    out=$(w_run inherit.exe $flag --trace "$(w_path "$TR")"); rc=$?
    expect_eq "inherit $flag exits 0: the failure it shows happened" 0 "$rc"
    cpid=$(w_get "$TR" pid --event start | sed -n 2p)
    expect_eq "$flag: the child's MapViewOfFile fails with ERROR_INVALID_HANDLE, as expected" \
        "NULL ERROR_INVALID_HANDLE true" \
        "$(w_get "$TR" ret --pid "$cpid" --call MapViewOfFile) $(w_get "$TR" errno --pid "$cpid" --call MapViewOfFile) $(w_get "$TR" expected --pid "$cpid" --call MapViewOfFile)"
    expect_eq "$flag: the child exits 0 (it saw the failure it was told to expect)" 0 \
        "$(w_get "$TR" status --pid "$cpid" --event exit)"
    expect_no_match "$flag: no reply came back" "^Reply from child" "$out"
done
expect_match "--no-cp-inherit passes bInheritHandles = FALSE" \
    'CreateProcess\(NULL, cmdline, NULL, NULL, FALSE, ' "$out"

# ---- file-view --------------------------------------------------------------
TR=$(t_trace)
F=$T_SCRATCH/view.dat
printf 'old contents' > "$F"
out=$(w_run file-view.exe --file "$(w_path "$F")" -m "shared $$" --no-hold --trace "$(w_path "$TR")"); rc=$?
expect_eq "file-view exits 0" 0 "$rc"
expect_eq "the mapping grew the file to two allocation granules (128 KiB)" 131072 "$(stat -c %s "$F")"
expect_eq "the file holds what was written through the shared view, NUL included" \
    "shared $$" "$(head -c 64 "$F" | tr '\0' '\n' | head -n 1)"
expect_eq "...and the marker written at 64 KiB" "This page is 64 KiB into the file." \
    "$(dd if="$F" bs=65536 skip=1 count=1 2>/dev/null | tr '\0' '\n' | head -n 1)"
if grep -q "Copy-on-write" "$F"; then
    not_ok "the copy-on-write view's write never reaches the file" "$(xxd "$F" | head -n 4)"
else
    ok "the copy-on-write view's write never reaches the file"
fi
expect_match "the copy-on-write view is FILE_MAP_COPY, mmap MAP_PRIVATE's twin" \
    'MapViewOfFile\(hMapFile, FILE_MAP_COPY, 0, 0, 65536\) = 0x[0-9a-f]+   \[POSIX: mmap\(NULL, len, PROT_READ \| PROT_WRITE, MAP_PRIVATE, fd, 0\)\]' "$out"
expect_match "...its write is seen through it" 'through pC: "Copy-on-write: only this process sees this."' "$out"
expect_match "...and not through the shared view" "through pA: \"shared $$\" \\(unchanged" "$out"
expect_match "the second view of the same region reads the message" "^shared $$\$" "$out"
expect_match "the offset is given as high and low DWORDs" \
    'MapViewOfFile\(hMapFile, FILE_MAP_READ, 0, 65536, 65536\) = 0x' "$out"
expect_match "...and that view starts at the marker" 'through pD, at its start: "This page is 64 KiB into the file."' "$out"
expect_match "an offset of one page fails with ERROR_MAPPED_ALIGNMENT (1132)" \
    'MapViewOfFile\(hMapFile, FILE_MAP_READ, 0, 4096, 4096\) = NULL  GetLastError\(\) = 1132 ERROR_MAPPED_ALIGNMENT ' "$out"
expect_match "...narrated as the point, with the granularity" \
    "^  expected: this failure is the point: a view must start at a multiple of the allocation granularity \(65536 bytes" "$out"
expect_eq "...and traced as an expected failure with its offset" "ERROR_MAPPED_ALIGNMENT true 4096" \
    "$(w_get "$TR" errno --call MapViewOfFile | sed -n 5p) $(w_get "$TR" expected --call MapViewOfFile | sed -n 5p) $(w_get "$TR" offset --call MapViewOfFile | sed -n 5p)"
expect_eq "the trace names the file as its object" "$(w_path "$F")" "$(w_get "$TR" object --event start)"
check "file-view's trace is valid" "$TC" validate "$TR"
out=$(w_run file-view.exe --file "$(w_path "$F")" --bad-offset 65536 --no-hold); rc=$?
expect_match "an offset on the granularity is accepted, and the program says it did not fail" \
    "note: it was expected to fail with ERROR_MAPPED_ALIGNMENT, and did not" "$out"
expect_match "...and its POSIX counterpart names the same offset" \
    "MapViewOfFile\(hMapFile, FILE_MAP_READ, 0, 65536, .*\[POSIX: mmap\(NULL, len, PROT_READ, MAP_SHARED, fd, 65536\)" "$out"
out=$(w_run file-view.exe --file 'Z:\no\such\dir\f.dat' --no-hold); rc=$?
expect_eq "a file that cannot be made is an explained failure (exit 1)" 1 "$rc"
expect_match "...with GetLastError's name" "CreateFile\(.*\) = INVALID_HANDLE_VALUE  GetLastError\(\) = 3 ERROR_PATH_NOT_FOUND" "$out"

# ---- reserve: the commit is the object's -----------------------------------
N=$(t_name); N=${N#/}
TR=$(t_trace)
start_held res w_exec reserve.exe -n "$N" -s 1M --commit 64k -m "committed $$" --trace "$(w_path "$TR")"
if w_wait_event "$TR" reserve hold 1 60; then
    ok "reserve reaches its hold point"
else
    not_ok "reserve reaches its hold point" "$(w_out res)" "$(w_errof res)"
fi
out=$(w_out res)
expect_match "the mapping is made with SEC_RESERVE" \
    "CreateFileMapping\(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE \| SEC_RESERVE, 0, 1048576, \"$N\"\) = 0x" "$out"
expect_match "its view starts out reserved, not committed" "at pView: State = MEM_RESERVE, RegionSize = 1048576" "$out"
expect_match "VirtualAlloc(MEM_COMMIT) commits 64 KiB of the view" \
    "VirtualAlloc\(pView, 65536, MEM_COMMIT, PAGE_READWRITE\) = 0x" "$out"
expect_match "...which is then committed" "at pView: State = MEM_COMMIT, RegionSize = 65536" "$out"
expect_match "...and the rest still reserved" "after the committed part: State = MEM_RESERVE, RegionSize = 983040" "$out"
out=$(w_run reserve.exe --open -n "$N" --trace "$(w_path "$TR")"); rc=$?
expect_eq "a second process opens it (exit 0)" 0 "$rc"
expect_match "the second process sees the 64 KiB committed" "at pView: State = MEM_COMMIT, RegionSize = 65536" "$out"
expect_match "...and the rest reserved" "after it: State = MEM_RESERVE, RegionSize = 983040" "$out"
expect_match "...and reads the message from the committed pages" "^committed $$\$" "$out"
finish res 60
expect_eq "reserve exits 0 after Enter" 0 "$T_STATUS"
check "reserve's trace is valid" "$TC" validate "$TR"
out=$(w_run reserve.exe --open -n "$N"); rc=$?
expect_eq "once reserve has closed, --open finds nothing (exit 1, ERROR_FILE_NOT_FOUND)" \
    "1 ok" "$rc $(grep -q 'GetLastError() = 2 ERROR_FILE_NOT_FOUND' <<<"$out" && echo ok)"
out=$(w_run reserve.exe -n "$N" -s 64k --commit 64k --no-hold); rc=$?
expect_eq "--commit as large as -s is refused before any call (exit 2)" 2 "$rc"

# ---- mutex: abandoned, reported, repaired ---------------------------------
N=$(t_name); N=${N#/}
TR=$(t_trace)
start_held mtx w_exec mutex.exe -n "$N" --trace "$(w_path "$TR")"
if w_wait_event "$TR" mutex hold 1 60; then
    ok "mutex holds while the holder owns the mutex"
else
    not_ok "mutex holds while the holder owns the mutex" "$(w_out mtx)" "$(w_errof mtx)"
fi
hpid=$(w_get "$TR" pid --event start | sed -n 2p)
expect_eq "the holder took the mutex (WAIT_OBJECT_0)" WAIT_OBJECT_0 \
    "$(w_get "$TR" ret --pid "$hpid" --call WaitForSingleObject)"
expect_match "...and is halfway through its update" "the holder owns the mutex: value = 1, updating = 1" "$(w_out mtx)"
finish mtx 60
expect_eq "mutex exits 0" 0 "$T_STATUS"
out=$(w_out mtx)
expect_match "the holder is killed with TerminateProcess" \
    "^  TerminateProcess\(pi.hProcess, 137\) = TRUE   \[POSIX: kill\(pid, SIGKILL\)\]" "$out"
expect_eq "the holder never got to exit on its own: no exit event from it" 0 \
    "$("$TC" count "$TR" --pid "$hpid" --event exit)"
expect_match "the next wait reports the mutex abandoned" \
    "^  WaitForSingleObject\(hMutex, 10000\) = WAIT_ABANDONED   \[POSIX: pthread_mutex_lock\(&data->lock\) \(EOWNERDEAD\)\]" "$out"
expect_match "...and finds the half-done update" "value = 1, updating = 1, note \"half-updated by process $hpid\"" "$out"
expect_match "it repairs the data" "repaired: value = 0, updating = 0" "$out"
expect_eq "after ReleaseMutex, the mutex is taken normally again" \
    "WAIT_ABANDONED WAIT_OBJECT_0" \
    "$(w_get "$TR" ret --call WaitForSingleObject --step wait | tail -n 1) $(w_get "$TR" ret --call WaitForSingleObject --step again)"
check "mutex's trace is valid" "$TC" validate "$TR"

# ---- ring: a section-backed ring between two processes, with events ---------
N=$(t_name); N=${N#/}
TR=$(t_trace)
out=$(w_run ring.exe -n "$N" -s 8M --trace "$(w_path "$TR")"); rc=$?
expect_eq "ring exits 0" 0 "$rc"
cpid=$(w_get "$TR" pid --event start | sed -n 2p)
ppid_=$(w_get "$TR" pid --event start | head -n 1)
if [ -n "$cpid" ] && [ "$cpid" != "$ppid_" ]; then
    ok "ring: a consumer process ran (pids $ppid_ and $cpid)"
else
    not_ok "ring: a consumer process ran" "start events from: $(w_get "$TR" pid --event start | tr '\n' ' ')"
fi
expect_eq "...opened the section by name and mapped it" "0 0" \
    "$(w_get "$TR" errno --pid "$cpid" --call OpenFileMapping) $(w_get "$TR" errno --pid "$cpid" --call MapViewOfFile)"
expect_eq "...and exited 0, having taken every message" 0 "$(w_get "$TR" status --pid "$cpid" --event exit)"
expect_match "the parent finds the consumer's checksum its own: every byte arrived" \
    "the consumer took 8388608 bytes: every byte arrived as sent" "$out"
expect_match "two auto-reset events, one for each side" \
    "CreateEvent\(NULL, FALSE, FALSE, \"$N.room\"\) = 0x" "$out"
check "ring's trace is valid" "$TC" validate "$TR"

done_testing
