#!/bin/bash
# tracecheck, the tests' reader of the trace: a line that is not one JSON
# object is a problem for validate, saying which line and why, and no event
# for the other commands, which go on to the next line.
. "$(dirname "$0")/../lib.sh"

TC=$TOOLS/tracecheck
if [ ! -x "$TC" ]; then
    not_ok "tracecheck is built" "no $TC" "run: make test-programs"
    stop_here
fi

TR=$(t_trace)
ev() {      # ev PID EVENT [EXTRA]: one whole event line
    printf '{"v":1,"ts_ns":1,"pid":%s,"prog":"01-create","event":"%s","object":"/o"%s}\n' "$1" "$2" "${3:-}"
}
{
    ev 7 start
    ev 7 step ',"step":"create","message":"caf\u00e9 \"q\""'
    ev 7 step ',"step":"create","message":"a\u0000b"'          # NUL: line 3
    ev 7 step ',"step":"create","step":"map","message":"m"'    # a key twice: 4
    ev 99999999999999999999 step ',"step":"x","message":"m"'   # past 64 bits: 5
    printf '{"v":1,"pid":7,"event":"step"\n'                    # cut short: 6
    ev 7 exit ',"status":0'
} > "$TR"

out=$("$TC" validate "$TR" 2>&1); rc=$?
expect_eq "validate: a trace with bad lines fails (exit 1)" 1 "$rc"
for l in 3 4 5 6; do
    expect_match "...naming line $l as not one JSON object, and why" \
        "^line $l: not one JSON object: .+" "$out"
done
expect_no_match "...and no other line" "^line [127]:" "$out"

expect_eq "count: only the whole events are counted" 3 "$("$TC" count "$TR")"
expect_eq "get: a message comes back decoded" 'café "q"' \
    "$("$TC" get "$TR" --event step message)"
expect_eq "get: a number as it was written" 0 "$("$TC" get "$TR" --event exit status)"
expect_eq "pairs: the good lines still pair one start with one exit" 0 \
    "$("$TC" pairs "$TR" >/dev/null 2>&1; echo $?)"

TR2=$(t_trace)
{ ev 7 start; ev 7 exit ',"status":0'; } > "$TR2"
check "validate: a trace of whole events passes" "$TC" validate "$TR2"

done_testing
