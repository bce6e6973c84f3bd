#!/bin/bash
# tests/run.sh itself: a suite that dies half-way, or runs other than the
# tests its plan says, is a failure whatever it passed.  run.sh runs here
# in a tree of its own, with tests/lib.sh and small suites made for the
# purpose, one at a time.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 1

TREE=$T_SCRATCH/tree
mkdir -p "$TREE/tests/fake"
cp tests/run.sh tests/lib.sh "$TREE/tests/"

# suite NAME BODY: a suite that sources lib.sh and runs BODY.
suite() {
    printf '#!/bin/bash\n. "$(dirname "$0")/../lib.sh"\n%s\n' "$2" > "$TREE/tests/fake/$1.sh"
}
# run_one NAME: run.sh on that suite alone; its output in OUT, exit in RC.
run_one() {
    # (without MMAPLAB_REQUIRE_ALL, which would make the fake skips failures)
    OUT=$(MMAPLAB_TEST_PREFIX="$PREFIX-$SUITE-inner" env -u MMAPLAB_REQUIRE_ALL \
          bash "$TREE/tests/run.sh" "fake/$1" 2>&1)
    RC=$?
}

suite good 'ok "one"; skip "two" "not here"; ok "three"; done_testing'
run_one good
expect_eq "a suite that passes, skips and reaches its end: run.sh exits 0" 0 "$RC"
expect_match "...counting what it ran" "^2 passed, 0 failed, 1 skipped$" "$OUT"

suite dies 'ok "one"; skip "two" "not here"; exit 3; ok "three"; done_testing'
run_one dies
expect_eq "a suite that dies after a pass and a skip: run.sh exits 1" 1 "$RC"
expect_match "...and says it exited 3" "suite exited 3 without reporting a failure" "$OUT"
expect_match "...the suite's own last words say where it stopped" \
    "stopped after test 2, before its end \(exit 3\)" "$OUT"

suite quits 'ok "one"; skip "two" "not here"; exit 0; ok "three"; done_testing'
run_one quits
expect_eq "a suite that stops early with exit 0: run.sh exits 1" 1 "$RC"
expect_match "...for want of a plan" "suite gave no plan" "$OUT"

suite short 'plan 3; ok "one"; ok "two"'
run_one short
expect_eq "a suite that plans 3 tests and runs 2: run.sh exits 1" 1 "$RC"
expect_match "...saying so" "suite planned 3 tests but ran 2" "$OUT"

suite long 'plan 1; ok "one"; ok "two"'
run_one long
expect_eq "a suite that plans 1 test and runs 2: run.sh exits 1" 1 "$RC"

suite planned 'plan 2; ok "one"; skip "two" "not here"'
run_one planned
expect_eq "a suite that plans 2 and runs 2: run.sh exits 0" 0 "$RC"

suite unbound 'ok "one"; echo "$no_such_variable"; ok "two"; done_testing'
run_one unbound
expect_eq "a suite stopped by an unset variable (set -u): run.sh exits 1" 1 "$RC"

suite fails 'ok "one"; not_ok "two" "why"; done_testing'
run_one fails
expect_eq "a suite with a failure: run.sh exits 1" 1 "$RC"
expect_match "...and counts it once" "^1 passed, 1 failed, 0 skipped$" "$OUT"

# A cmocka unit prints its plan first: one that dies half-way is caught
# by its plan as well as by its exit status.
printf '#!/bin/sh\necho 1..3; echo "ok 1 - a"; echo "ok 2 - b"; kill -9 $$\n' \
    > "$TREE/tests/fake/killed.sh"
run_one killed
expect_eq "a suite killed after 2 of its 3 planned tests: run.sh exits 1" 1 "$RC"

done_testing
