#!/bin/bash
# run.sh — run every test suite and end with one line:
#     N passed, N failed, N skipped
#
#   tests/run.sh [WORD...]   only the suites whose path contains a WORD
#
# Suites speak TAP ("ok", "not ok", "# SKIP"): the cmocka units in
# build/tests/test_* and the scripts tests/*/*.sh (see tests/lib.sh).
# With MMAPLAB_REQUIRE_ALL=1 a skipped test counts as failed.
# A suite fails as a whole, whatever it passed, when it exits non-zero
# without a "not ok" (it died half-way, or timed out), when it gives no
# plan ("1..N": scripts print theirs at their end with done_testing), or
# when its plan does not match the tests it ran.
# Objects are named with a prefix unique to this run; whatever is left
# under it in /dev/shm at the end is removed and counted as a failure.

set -u
cd "$(dirname "$0")/.." || exit 2
ROOT=$PWD
export MMAPLAB_ROOT=$ROOT
export MMAPLAB_TEST_PREFIX=${MMAPLAB_TEST_PREFIX:-mmaplab-t$$}
export MMAPLAB_TRACE=off           # each test names its own trace
unset MMAPLAB_NAME
export NO_COLOR=1
SUITE_TIMEOUT=${MMAPLAB_SUITE_TIMEOUT:-900}
LOG=$ROOT/build/tests/last-run.log
mkdir -p "$ROOT/build/tests"
: > "$LOG"

passed=0 failed=0 skipped=0
failures=()

suites=()
for t in build/tests/test_*; do
    [ -x "$t" ] && suites+=("$t")
done
for t in tests/*/*.sh; do
    [ -f "$t" ] && suites+=("$t")
done

selected() {
    [ $# -eq 1 ] && return 0
    local s=$1 w; shift
    for w in "$@"; do
        [[ $s == *"$w"* ]] && return 0
    done
    return 1
}

for s in "${suites[@]}"; do
    selected "$s" "$@" || continue
    name=${s#build/tests/}; name=${name#tests/}; name=${name%.sh}
    echo "== $name"
    out=$(mktemp)
    if [[ $s == *.sh ]]; then
        CMOCKA_MESSAGE_OUTPUT=TAP timeout -k 10 "$SUITE_TIMEOUT" bash "$s" >"$out" 2>&1
    else
        CMOCKA_MESSAGE_OUTPUT=TAP timeout -k 10 "$SUITE_TIMEOUT" "$s" >"$out" 2>&1
    fi
    rc=$?
    { echo "== $name (exit $rc)"; cat "$out"; } >> "$LOG"
    sp=0 sf=0 ss=0 planned="" why=""
    while IFS= read -r line; do
        case $line in
        1..[0-9]*)
            n=${line#1..}; n=${n%%[!0-9]*}
            planned=$(( ${planned:-0} + 10#$n ))
            ;;
        "ok "*"# SKIP"*|"not ok "*"# SKIP"*)
            ss=$((ss + 1))
            echo "  SKIPPED: ${line#*# SKIP}"
            if [ "${MMAPLAB_REQUIRE_ALL:-0}" = 1 ]; then
                failures+=("$name: skipped under MMAPLAB_REQUIRE_ALL=1:${line#*# SKIP}")
            fi
            ;;
        "ok "*) sp=$((sp + 1)); echo "  $line" ;;
        "not ok "*)
            sf=$((sf + 1)); echo "  $line"
            failures+=("$name: ${line#not ok }")
            ;;
        "#"*) echo "  $line" ;;
        esac
    done < "$out"
    if [ $rc -ne 0 ] && [ $sf -eq 0 ]; then
        [ $rc -eq 124 ] && why="timed out after ${SUITE_TIMEOUT}s" || why="exited $rc"
        why="$why without reporting a failure"
    elif [ -z "$planned" ]; then
        why="gave no plan (1..N): it stopped before its end"
    elif [ "$planned" -ne $((sp + sf + ss)) ]; then
        why="planned $planned tests but ran $((sp + sf + ss))"
    fi
    if [ -n "$why" ]; then
        sf=$((sf + 1))
        echo "  not ok - suite $why; output:"
        sed 's/^/    | /' "$out" | tail -n 30
        failures+=("$name: suite $why")
    fi
    if [ $sf -gt 0 ]; then
        # What the failing suite said outside its TAP lines.
        grep -v '^\(not \)\{0,1\}ok \|^#\|^1\.\.' "$out" | sed 's/^/    | /' | tail -n 40
    fi
    rm -f "$out"
    passed=$((passed + sp)); failed=$((failed + sf)); skipped=$((skipped + ss))
done

# Nothing a test made may outlive it.
left=$(ls /dev/shm 2>/dev/null | grep "^$MMAPLAB_TEST_PREFIX" || true)
if [ -n "$left" ]; then
    echo "not ok - objects left in /dev/shm by this run (now removed):"
    echo "$left" | sed 's/^/    /'
    echo "$left" | while read -r f; do rm -f "/dev/shm/$f"; done
    failed=$((failed + 1))
    failures+=("objects left in /dev/shm")
fi

if [ "${MMAPLAB_REQUIRE_ALL:-0}" = 1 ] && [ $skipped -gt 0 ]; then
    failed=$((failed + skipped))
fi

if [ ${#failures[@]} -gt 0 ]; then
    echo
    echo "Failures:"
    printf '  %s\n' "${failures[@]}"
    echo "(whole output of every suite: build/tests/last-run.log)"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
