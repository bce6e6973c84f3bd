#!/bin/bash
# wine.sh — the Win32 programs under Wine.
#
# Sourced by the other tests/win32 suites for its helpers:
#
#     . "$(dirname "$0")/wine.sh"
#     w_ready || stop_here       # SKIPPED (loudly) without MinGW or Wine
#     w_prefix                   # a fresh WINEPREFIX and its own wineserver
#     out=$(w_run second-process.exe -n NAME --trace "$(w_path "$TR")")
#     start_held first w_exec first-process.exe ...   # then w_out first
#
# Run as a suite, it checks what every program shares: --help, -V, usage
# errors and exit status 2, the name rules, narration and trace format.
#
# Each scenario file gets its own prefix (named objects live per wineserver,
# so prefixes must not be shared between scenarios that could collide), with
# WINEDEBUG=-all and no Mono/Gecko prompts; every wine call runs under
# timeout; the server is killed at the end even on failure.  Wine's own
# stderr noise is never asserted on: output is read from stdout with CRs
# stripped, and from the programs' own "PROG: ..." lines on stderr.

. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

WINE=${MMAPLAB_WINE:-/usr/lib/wine/wine64}
WINESERVER=${MMAPLAB_WINESERVER:-/usr/lib/wine/wineserver64}
WBIN=$BIN/win32
W_TIMEOUT=${MMAPLAB_WINE_TIMEOUT:-60}     # one program run
W_INIT_TIMEOUT=${MMAPLAB_WINE_INIT_TIMEOUT:-300}   # a new prefix
W_PREFIXES=()
W_PROGRAMS="first-process second-process inherit file-view reserve mutex ring"

w_end() {
    local p
    for p in "${W_PREFIXES[@]}"; do
        WINEPREFIX=$p timeout 30 "$WINESERVER" -k >/dev/null 2>&1
        WINEPREFIX=$p timeout 30 "$WINESERVER" -w >/dev/null 2>&1
        # The server's socket directory is named after the prefix's device
        # and inode; it outlives the server unless removed.
        local id d ino
        ino=$(stat -c %i "$p" 2>/dev/null) || continue
        id=server-$(stat -c %D "$p")-$(printf '%x' "$ino")
        for d in /tmp/wine-*/"$id" "/tmp/.wine-$(id -u)/$id"; do
            [ -d "$d" ] || continue
            rm -rf "$d"
            rmdir "$(dirname "$d")" 2>/dev/null
        done
    done
}
trap 'w_end; t_cleanup' EXIT

# w_ready: 0 when the cross-compiler, Wine and the built programs are all
# there; otherwise one SKIP (a missing tool) or one failure (a missing
# build), and 1.
w_ready() {
    if ! command -v "${MMAPLAB_WIN32_CC:-x86_64-w64-mingw32-gcc}" >/dev/null 2>&1; then
        skip "$SUITE" "x86_64-w64-mingw32-gcc is not installed (sudo apt-get install gcc-mingw-w64-x86-64)"
        return 1
    fi
    if [ ! -x "$WINE" ] || [ ! -x "$WINESERVER" ]; then
        skip "$SUITE" "wine64 is not installed: no $WINE (sudo apt-get install wine64)"
        return 1
    fi
    local p missing=
    for p in $W_PROGRAMS; do
        [ -f "$WBIN/$p.exe" ] || missing="$missing $p.exe"
    done
    if [ -n "$missing" ]; then
        not_ok "the Win32 programs are built" "missing in $WBIN:$missing" "run: make win32"
        return 1
    fi
    return 0
}

# w_prefix: a fresh WINEPREFIX for this scenario file, its wineserver kept
# alive until the end (so that no run waits for a server to start), and the
# prefix made now, outside any timed wait.
w_prefix() {
    WINEPREFIX=$(mktemp -d "$T_SCRATCH/wineprefix.XXXXXX")
    export WINEPREFIX WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
    W_PREFIXES+=("$WINEPREFIX")
    timeout 30 "$WINESERVER" -p >/dev/null 2>&1
    local t0=$SECONDS
    if ! timeout -k 10 "$W_INIT_TIMEOUT" "$WINE" "$WBIN/first-process.exe" -V \
            >"$T_SCRATCH/wine-init.out" 2>&1; then
        not_ok "a new Wine prefix starts within ${W_INIT_TIMEOUT}s" \
            "$(tail -n 20 "$T_SCRATCH/wine-init.out")"
        return 1
    fi
    echo "# Wine prefix ready in $((SECONDS - t0))s"
}

# w_path FILE: the Windows path of a Unix path (Wine maps / to Z:).
w_path() { printf 'Z:%s' "${1//\//\\}"; }

# w_run EXE ARGS...: run it under Wine with a timeout; its stdout, without
# CRs, on stdout; its stderr in $T_SCRATCH/w.err; its exit status returned.
w_run() {
    local exe=$1; shift
    timeout -k 5 "$W_TIMEOUT" "$WINE" "$WBIN/$exe" "$@" 2>"$T_SCRATCH/w.err" </dev/null |
        tr -d '\r'
    return "${PIPESTATUS[0]}"
}

# w_run_in INPUT EXE ARGS...: the same, with INPUT on its standard input.
w_run_in() {
    local input=$1 exe=$2; shift 2
    printf '%s' "$input" | timeout -k 5 "$W_TIMEOUT" "$WINE" "$WBIN/$exe" "$@" \
        2>"$T_SCRATCH/w.err" | tr -d '\r'
    return "${PIPESTATUS[1]}"
}

# The program's own lines from the last w_run's stderr (never Wine's).
w_err() { tr -d '\r' < "$T_SCRATCH/w.err" | grep -E "^($(echo $W_PROGRAMS | tr ' ' '|')): " ; }

# w_exec EXE ARGS...: for start_held — becomes the timed wine process.
w_exec() {
    local exe=$1; shift
    exec timeout -k 5 "${W_HELD_TIMEOUT:-120}" "$WINE" "$WBIN/$exe" "$@"
}

# Output of a held program so far, without CRs.
w_out() { tr -d '\r' < "$T_SCRATCH/$1.out"; }
w_errof() { tr -d '\r' < "$T_SCRATCH/$1.err" | grep -E "^($(echo $W_PROGRAMS | tr ' ' '|')): "; }

# w_wait_event TRACE PROG EVENT [COUNT] [TIMEOUT]: tracecheck when it is
# built, else a poll of the trace file (each event is one line).
w_wait_event() {
    if [ -x "$TOOLS/tracecheck" ]; then
        wait_event "$@"
        return
    fi
    local i=0 limit=$(( ${5:-20} * 20 ))
    while [ "$(grep -c "\"prog\":\"$2\",\"event\":\"$3\"" "$1" 2>/dev/null)" -lt "${4:-1}" ]; do
        i=$((i + 1))
        [ $i -gt $limit ] && return 1
        sleep 0.05
    done
}

# w_get TRACE KEY [FILTERS...]: KEY of each matching event (tracecheck get).
w_get() {
    local tr=$1 key=$2; shift 2
    "$TOOLS/tracecheck" get "$tr" "$@" "$key"
}

# ---- run as a suite: what every program shares ---------------------------

[[ ${BASH_SOURCE[0]} != "$0" ]] && return 0

# Lessons quote the programs between /* [lesson:NAME] */ and /* [/lesson] */:
# in each file every marker closes, none nests, no NAME repeats.  (Source
# only: this runs without MinGW or Wine too.)
for p in $W_PROGRAMS; do
    f=$ROOT/demos/win32/$p.c
    why=$(awk '
        /\/\* \[lesson:[a-z0-9-]+\] \*\// {
            match($0, /\[lesson:[a-z0-9-]+\]/)
            name = substr($0, RSTART + 8, RLENGTH - 9)
            if (open != "") { print FNR ": [lesson:" name "] inside [lesson:" open "]"; bad = 1 }
            if (seen[name]++) { print FNR ": [lesson:" name "] used twice"; bad = 1 }
            open = name; n++
        }
        /\/\* \[\/lesson\] \*\// {
            if (open == "") { print FNR ": [/lesson] with nothing open"; bad = 1 }
            open = ""
        }
        END {
            if (open != "") print "[lesson:" open "] never closed"
            if (n == 0) print "no [lesson:NAME] markers"
        }' "$f" 2>&1)
    if [ -z "$why" ]; then ok "$p.c: its lesson markers pair up"
    else not_ok "$p.c: its lesson markers pair up" "$why"; fi
done

w_ready || stop_here
w_prefix || stop_here

for p in $W_PROGRAMS; do
    out=$(w_run "$p.exe" --help); rc=$?
    expect_eq "$p --help exits 0" 0 "$rc"
    expect_match "$p --help starts with its usage line" "^Usage: $p.exe " "$out"
    expect_match "$p --help names its POSIX twin" "^POSIX twin: " "$out"
    out=$(w_run "$p.exe" -V); rc=$?
    expect_eq "$p -V prints its name and version" "0 $p (mmaplab, Win32) 1.0" "$rc $out"
    out=$(w_run "$p.exe" --bogus); rc=$?
    expect_eq "$p refuses an unknown option with exit 2" 2 "$rc"
    expect_match "...and says which" "^$p: unknown option '--bogus'" "$(w_err)"
    expect_match "...and that nothing was done" "Nothing was done" "$(tr -d '\r' < "$T_SCRATCH/w.err")"
done

# -n: Win32 names, with the POSIX form accepted and explained.
out=$(w_run second-process.exe -n 'a\b' --no-hold); rc=$?
expect_eq "a name with a backslash is refused before any call (exit 2)" 2 "$rc"
expect_match "...with the rule" "has a '\\\\': a Win32 object name may not contain one" "$(w_err)"
out=$(w_run second-process.exe -n 'Global\' --no-hold); rc=$?
expect_eq "a name that is only a prefix is refused (exit 2)" 2 "$rc"
out=$(MMAPLAB_NAME='x\y' w_run second-process.exe --no-hold); rc=$?
expect_eq "MMAPLAB_NAME follows the same rules" 2 "$rc"
expect_match "...and the refusal says where the name came from" "\(from MMAPLAB_NAME\)" "$(w_err)"
out=$(w_run first-process.exe -n /slashed --no-hold -q); rc=$?
expect_eq "a POSIX-style name works (exit 0)" 0 "$rc"
out=$(w_run first-process.exe -n /slashed --no-hold)
expect_match "...and is explained: Win32 names have no leading '/'" \
    "note: '/slashed' is the POSIX form of the name; Win32 names have no leading '/', so this is \"slashed\"" "$out"
expect_match "...and the call uses the name without it" 'CreateFileMapping\(.*, "slashed"\) = 0x' "$out"
out=$(w_run first-process.exe -n 'Local\lab' --no-hold)
expect_match "Local\\ is accepted and explained" "note: Local\\\\ is this session's own namespace" "$out"
expect_match "...and passed to the call as given" 'CreateFileMapping\(.*, "Local\\lab"\) = 0x' "$out"
out=$(w_run first-process.exe -n 'Global\lab' --no-hold)
expect_match "Global\\ is explained with the privilege Windows asks for (not asserted: Wine grants it)" \
    "note: Global\\\\ .*SeCreateGlobalPrivilege" "$out"

# -s and -m: refused before any call.
for bad in 0 -5 12q ""; do
    out=$(w_run first-process.exe -s "$bad" --no-hold); rc=$?
    expect_eq "-s '$bad' is refused with exit 2" 2 "$rc"
done
out=$(w_run first-process.exe -s 4k --no-hold)
expect_match "-s 4k is 4096 bytes, split into high and low DWORDs" \
    'CreateFileMapping\(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, "MyFileMappingObject"\)' "$out"
out=$(w_run first-process.exe -s 5G --no-hold); rc=$?
expect_match "-s 5G is split: high DWORD 1, low DWORD 1073741824" \
    'CreateFileMapping\(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 1, 1073741824, ' "$out"
expect_match "...and whether the system can hold it or not, the program ends cleanly" '^[01]$' "$rc"
TR=$(t_trace)
out=$(w_run first-process.exe -s 16 -m "longer than sixteen bytes" --no-hold --trace "$(w_path "$TR")"); rc=$?
expect_eq "a message larger than the object is refused with exit 2" 2 "$rc"
expect_match "...saying why, before any call" "^first-process: error: the message \(26 bytes" "$(w_err)"
expect_eq "...and no call was made" 0 "$("$TOOLS/tracecheck" count "$TR" --event call)"

# The trace: one event per line, the keys of lessons/trace.md; a Unix path works
# as well as a Z: path; MMAPLAB_TRACE is read; "off" writes nothing.
TR=$(t_trace)
w_run first-process.exe -n tr1 --no-hold --trace "$TR" >/dev/null
check "a Unix path for --trace works under Wine" test -s "$TR"
check "first-process's trace is valid" "$TOOLS/tracecheck" validate "$TR"
expect_eq "its events, in order" \
    "start step call step call step call step call step call exit" \
    "$(w_get "$TR" event | tr '\n' ' ' | sed 's/ $//')"
expect_eq "its calls carry their POSIX counterpart" \
    "shm_open mmap memcpy munmap close" \
    "$(w_get "$TR" posix --event call | sed 's/(.*//' | tr '\n' ' ' | sed 's/ $//')"
expect_eq "the trace names the program and the object" "first-process tr1" \
    "$(w_get "$TR" prog --event start) $(w_get "$TR" object --event start)"
ts=$(w_get "$TR" ts_ns --event start); now=$(date +%s%N)
if [ -n "$ts" ] && [ $(( (now - ts) / 1000000000 )) -lt 120 ] && [ "$ts" -le "$now" ]; then
    ok "ts_ns is CLOCK_REALTIME in nanoseconds"
else
    not_ok "ts_ns is CLOCK_REALTIME in nanoseconds" "ts_ns $ts, now $now"
fi
TR=$(t_trace)
out=$(MMAPLAB_TRACE=$(w_path "$TR") w_run second-process.exe -n nothing-here --no-hold); rc=$?
got=$(w_get "$TR" event | tr '\n' ' ' | sed 's/ $//')
if [ "$got" = "start step call error exit" ]; then
    ok "MMAPLAB_TRACE (a Z: path) is where the trace goes"
else
    not_ok "MMAPLAB_TRACE (a Z: path) is where the trace goes" "want: start step call error exit" \
        "got:  $got" "exit status $rc; stdout:" "$out" "stderr (wine's too):" \
        "$(tr -d '\r' < "$T_SCRATCH/w.err" | tail -n 20)"
fi
(unset MMAPLAB_TRACE; w_run first-process.exe -n tr2 --no-hold >/dev/null)
deftr=$(find "$WINEPREFIX/drive_c/users" -path '*/mmaplab/trace.jsonl' 2>/dev/null | head -n 1)
if [ -n "$deftr" ]; then
    ok "without --trace or MMAPLAB_TRACE the trace goes to %TEMP%\\mmaplab\\trace.jsonl"
    n0=$(grep -c . "$deftr")
    MMAPLAB_TRACE=off w_run first-process.exe -n tr2 --no-hold >/dev/null
    expect_eq "MMAPLAB_TRACE=off writes nothing there" "$n0" "$(grep -c . "$deftr")"
else
    not_ok "without --trace or MMAPLAB_TRACE the trace goes to %TEMP%\\mmaplab\\trace.jsonl" \
        "no trace.jsonl under $WINEPREFIX/drive_c/users"
fi
w_run first-process.exe -n tr3 --no-hold --trace /nonexistent-dir/t.jsonl >/dev/null; rc=$?
expect_eq "a trace that cannot be opened does not change the exit status" 0 "$rc"
expect_match "...and is warned about once" "^first-process: warning: trace cannot open" "$(w_err)"

# Events of several processes at once stay whole lines.
TR=$(t_trace)
pids=()
for i in 1 2 3 4; do
    timeout 60 "$WINE" "$WBIN/first-process.exe" -n "par$i" --no-hold -q \
        --trace "$(w_path "$TR")" </dev/null >/dev/null 2>&1 &
    pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
expect_eq "four processes appending at once: 4 x 12 events, none lost" 48 "$(grep -c . "$TR")"
check "...every line still one valid event" "$TOOLS/tracecheck" validate "$TR"

# Narration: one line per call with its POSIX counterpart; stdout reaches a
# pipe line by line (msvcrt would hold it to the exit otherwise).
out=$(w_run first-process.exe -n narr --no-hold)
expect_match "each call is narrated with its arguments, result and POSIX counterpart" \
    '^  MapViewOfFile\(hMapFile, FILE_MAP_ALL_ACCESS, 0, 0, 256\) = 0x[0-9a-f]+   \[POSIX: mmap\(NULL, size, PROT_READ \| PROT_WRITE, MAP_SHARED, fd, 0\)\]$' "$out"
expect_match "steps have headings" '^\[create\] ' "$out"
out=$(w_run first-process.exe -n quiet --no-hold -q)
expect_eq "-q prints nothing when all goes well" "" "$out"

# --step pauses before each call: with no input, it goes on.
TR=$(t_trace)
out=$(w_run first-process.exe -n stepped --step --no-hold --trace "$TR"); rc=$?
expect_eq "--step runs to the end on end of input" 0 "$rc"
expect_match "--step shows the next call before it runs" \
    '^  next: CreateFileMapping\(INVALID_HANDLE_VALUE' "$out"
expect_eq "--step holds once per call" 5 "$(w_get "$TR" event --event hold | wc -l)"

# Ctrl-C (SIGINT, which Wine turns into CTRL_C_EVENT) at a hold point: the
# exit is recorded, and the shell sees 130 as for a POSIX program.
TR=$(t_trace)
start_held ctrlc w_exec first-process.exe -n ctrlc --trace "$(w_path "$TR")"
if w_wait_event "$TR" first-process hold 1 60; then
    kill -INT "$(pid_of ctrlc)"
    wait_exit "$(pid_of ctrlc)" 30
    expect_eq "Ctrl-C at the hold point: exit status 130" 130 "$T_STATUS"
    expect_eq "...recorded in the trace as the exit, with the event's name" "130 CTRL_C_EVENT" \
        "$(w_get "$TR" status --event exit) $(w_get "$TR" message --event exit)"
    expect_match "...and explained" "^first-process: stopped by CTRL_C_EVENT; Windows closes every handle" \
        "$(w_errof ctrlc)"
else
    not_ok "first-process reaches its hold point" "$(w_out ctrlc)"
fi

done_testing
