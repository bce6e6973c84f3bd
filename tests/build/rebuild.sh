#!/bin/bash
# A second make builds nothing: the objects depend on build/flags, and that
# file must not change between two runs with the same command line (it did,
# when a part's own flags leaked into it and every build rebuilt everything).
# The build runs in a copy of the sources, so the tree under test is left as
# it is; -O0 keeps it short.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 1

SRC=$T_SCRATCH/src
mkdir -p "$SRC"
# The sources only: not build/ or bin/ of the tree under test.
for f in Makefile mk lib demos viewer tour tests tools lessons bench labs; do
    [ -e "$f" ] && cp -R "$f" "$SRC/"
done

built() {   # the compile, archive and link lines of one make run
    grep -E '^  (CC|AR|LD) ' "$1"
}

# MAKEFLAGS from `make check` would carry its own goals' variables along;
# each make here is told everything it needs.
unset MAKEFLAGS MFLAGS MAKELEVEL
make -C "$SRC" -j2 CFLAGS=-O0 programs >"$T_SCRATCH/first" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
    not_ok "a first make builds the programs" "exit $rc" "$(tail -n 20 "$T_SCRATCH/first")"
    stop_here
fi
expect_match "the first make compiles the sources" '^  CC ' "$(cat "$T_SCRATCH/first")"

make -C "$SRC" CFLAGS=-O0 programs >"$T_SCRATCH/second" 2>&1
expect_eq "a second make compiles, archives and links nothing" "" "$(built "$T_SCRATCH/second")"

# The order in which the README's commands are typed: make, make demo's
# build, make install's build: none rebuilds.
make -C "$SRC" CFLAGS=-O0 >"$T_SCRATCH/third" 2>&1
make -C "$SRC" CFLAGS=-O0 test-programs >"$T_SCRATCH/fourth" 2>&1
make -C "$SRC" CFLAGS=-O0 programs >"$T_SCRATCH/fifth" 2>&1
expect_eq "make, then the test programs, then make again: the programs are not rebuilt" \
    "" "$(built "$T_SCRATCH/fifth")"

# Another command line does rebuild: the flags file is not just ignored.
make -C "$SRC" CFLAGS='-O0 -g' bin/01-create >"$T_SCRATCH/sixth" 2>&1
expect_match "other flags rebuild what they change" '^  CC +demos/01-create.c' "$(cat "$T_SCRATCH/sixth")"

done_testing
