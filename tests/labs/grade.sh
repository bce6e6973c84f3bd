#!/bin/bash
# grade.sh — the labs' grader can fail, and fails for the right reason:
# every starter scores below full marks, every reference solution full marks
# (built with -Werror), and every mistake kept in labs/NN-name/mistakes/
# loses exactly the checks its "loses:" line names; every check has a
# mistake that loses it alone.  Nothing is left in /dev/shm, no process runs
# on.  LABS=01 limits it to some labs.
. "$(dirname "$0")/../lib.sh"

GRADE=$ROOT/labs/grade
# The graders' work directories under this suite's own: what still runs of
# them is found by that path, and never confused with another run's.
export TMPDIR=$T_SCRATCH
for t in strace perl patch cc; do
    if ! need_tool "$t"; then skip "labs" "$t is not installed (make check installs it)"; stop_here; fi
done
if ! strace -f -q -o /dev/null true 2>/dev/null; then
    skip "labs" "strace cannot trace here (ptrace not allowed)"; stop_here
fi

# failed_checks JSONFILE: the names of the checks that failed, sorted, one line.
failed_checks() {
    grep -o '"name":"[a-z0-9-]*","points":[0-9]*,"max":[0-9]*,"pass":false' "$1" \
        | sed 's/"name":"\([^"]*\)".*/\1/' | sort | tr '\n' ' ' | sed 's/ $//'
}
score_of() { tail -n1 "$1" | sed -n 's/.*"score":\([0-9]*\),"max":\([0-9]*\),"labs".*/\1 \2/p'; }

# grade_one TAG LAB SRC: runs the grader; sets G_RC, G_OUT (its output), G_J (the JSON file).
grade_one() {
    G_J=$T_SCRATCH/$1.json G_OUT=$T_SCRATCH/$1.out
    GRADE_PREFIX=$PREFIX-$SUITE-$1 timeout -k 5 180 bash "$GRADE" --json "$G_J" --src "$3" "$2" > "$G_OUT" 2>&1
    G_RC=$?
    echo "$G_RC" > "$T_SCRATCH/$1.rc"
}
# The grader mostly waits on the programs it runs: a few gradings at once.
JOBS=${MMAPLAB_LABS_JOBS:-3}
grade_bg() {
    while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
    grade_one "$@" &
}
result() { G_J=$T_SCRATCH/$1.json G_OUT=$T_SCRATCH/$1.out; G_RC=$(cat "$T_SCRATCH/$1.rc" 2>/dev/null || echo none); }

labs=()
for dir in "$ROOT"/labs/[0-9][0-9]-*/; do
    lab=$(basename "$dir")
    no=${lab%%-*}
    if [ -n "${LABS:-}" ] && [[ " $LABS " != *" $no "* ]]; then continue; fi
    sol=$(ls "$dir"/solution/*.c 2>/dev/null | head -n1)
    if [ -z "$sol" ]; then skip "$lab" "no reference solution (removed from this copy)"; continue; fi
    # Lab 05's grader reads the files with numpy: without it, it cannot pass.
    if [ "$no" = 05 ] && ! /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
        skip "$lab" "/usr/bin/python3 has no numpy (python3-numpy), which its grader reads with"; continue
    fi
    labs+=("$lab")
    grade_bg "$no-starter" "$no" "$dir/starter.c"
    GRADE_WERROR=1 grade_bg "$no-solution" "$no" "$sol"
    for m in "$dir"/mistakes/*.patch; do
        [ -f "$m" ] || continue
        mn=$(basename "$m" .patch)
        v=$T_SCRATCH/$no-$mn.c
        if patch -s -o "$v" "$sol" < "$m" > "$T_SCRATCH/$no-$mn.patchlog" 2>&1; then
            grade_bg "$no-$mn" "$no" "$v"
        fi
    done
done
wait

for lab in "${labs[@]}"; do
    dir=$ROOT/labs/$lab
    no=${lab%%-*}
    sol=$(ls "$dir"/solution/*.c | head -n1)
    checks=$(bash "$GRADE" --list "$no" | sed -n 's/^  \([a-z0-9-]*\) (.*/\1/p' | sort | tr '\n' ' ' | sed 's/ $//')
    if [ -z "$checks" ]; then not_ok "$lab: the grader lists its checks"; continue; fi

    result "$no-starter"
    set -- $(score_of "$G_J")
    if [ "$G_RC" = 1 ] && [ -n "${1:-}" ] && [ "$1" -lt "$2" ] && grep -q "^Score: $1/$2$" "$G_OUT"; then
        ok "$lab: the starter scores $1/$2 and the grader exits 1"
    else
        not_ok "$lab: the starter scores below full marks" "exit $G_RC, score ${1:-?}/${2:-?}" "$(tail -n 40 "$G_OUT")"
    fi

    result "$no-solution"
    set -- $(score_of "$G_J")
    if [ "$G_RC" = 0 ] && [ -n "${1:-}" ] && [ "$1" = "$2" ] && [ "$2" -gt 0 ]; then
        ok "$lab: the reference solution scores $1/$2 and the grader exits 0"
    else
        not_ok "$lab: the reference solution scores full marks" "exit $G_RC, score ${1:-?}/${2:-?}" "$(tail -n 40 "$G_OUT")"
    fi

    declare -A alone=()
    for m in "$dir"/mistakes/*.patch; do
        [ -f "$m" ] || continue
        mn=$(basename "$m" .patch)
        want=$(sed -n '1s/^loses: //p' "$m" | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')
        if [ -s "$T_SCRATCH/$no-$mn.patchlog" ] || [ ! -f "$T_SCRATCH/$no-$mn.c" ]; then
            not_ok "$lab: mistake $mn applies to the solution" "$(cat "$T_SCRATCH/$no-$mn.patchlog")"
            continue
        fi
        result "$no-$mn"
        got=$(failed_checks "$G_J")
        if [ -n "$want" ] && [ "$got" = "$want" ] && [ "$G_RC" = 1 ]; then
            ok "$lab: mistake $mn loses exactly: $want"
            [ "${want// /}" = "$want" ] && alone[$want]=$mn
        else
            not_ok "$lab: mistake $mn loses exactly: $want" "it lost: ${got:-nothing} (exit $G_RC)" "$(tail -n 40 "$G_OUT")"
        fi
    done
    for c in $checks; do
        if [ -n "${alone[$c]:-}" ]; then ok "$lab: check $c has a mistake of its own (${alone[$c]})"
        else not_ok "$lab: check $c has a mistake that loses it alone" "none of labs/$lab/mistakes/*.patch loses only $c"; fi
    done
    unset alone
done

# A hostile program: control bytes where the grader shows its output, and
# after end of input it never ends.
if [ -z "${LABS:-}" ] || [[ " $LABS " == *" 02 "* ]]; then
    cat > "$T_SCRATCH/hostile.c" <<'C'
#include <stdio.h>
#include <unistd.h>
int main(void)
{
    printf("\033[2J\033]0;owned\007\n");
    fflush(stdout);
    while (getchar() != EOF)
        ;
    for (;;)
        pause();
}
C
    grade_one hostile 02 "$T_SCRATCH/hostile.c"
    if [ "$G_RC" = 1 ] && ! LC_ALL=C grep -q $'[\x1b\x07]' "$G_OUT" && grep -qF 'x1b[2J' "$G_OUT" \
        && grep -q 'killed after the time limit' "$G_OUT"; then
        ok "a program that prints control bytes and never ends: its bytes escaped, killed after the time limit, exit 1"
    else
        not_ok "a program that prints control bytes and never ends: its bytes escaped, killed after the time limit, exit 1" \
            "exit $G_RC" "$(LC_ALL=C sed 's/[^[:print:]]/?/g' "$G_OUT" | tail -n 30)"
    fi
fi

# The JSON records are JSON.
if command -v python3 >/dev/null && python3 -c 'import json' 2>/dev/null; then
    bad=""
    for j in "$T_SCRATCH"/*.json; do
        [ -f "$j" ] || continue
        python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$j" 2>/dev/null || bad="$bad $(basename "$j")"
    done
    expect_eq "every JSON record parses" "" "$bad"
fi

left=$(ls /dev/shm | grep "^$PREFIX-$SUITE-" || true)
expect_eq "nothing of the grader's is left in /dev/shm" "" "$left"
left=$(pgrep -f "$T_SCRATCH" 2>/dev/null | grep -v "^$$\$" || true)
expect_eq "no program the grader ran is still running" "" "$left"

done_testing
