#!/bin/bash
# Drift: every generated region of the lessons still matches what it comes
# from.  The lessons are regenerated into a scratch copy (tools/lessons.sh,
# the work of `make lessons`: the excerpts from the sources, the outputs
# from real runs of the programs, normalised) and compared with the
# committed ones.  A difference fails with the diff; if the change is
# right, `make lessons` and commit the result.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 1

gen=$T_SCRATCH/gen
tmp=$T_SCRATCH/tmp
mkdir -p "$gen" "$tmp"
out=$(LESSONS_PREFIX=$PREFIX-$SUITE TMPDIR=$tmp bash tools/lessons.sh --out "$gen" 2>&1)
rc=$?
if [ $rc -ne 0 ]; then
    not_ok "make lessons runs every scene and finds every excerpt" "$out"
    stop_here
fi
ok "make lessons runs every scene and finds every excerpt"

# Under AddressSanitizer a program also faults in its shadow memory, and
# the kernel places mappings around ASan's own: the fault counts and the
# addresses the programs print are compared in a plain build only.
mask() { cat; }
if grep -q fsanitize "$ROOT/build/flags" 2>/dev/null; then
    mask() {
        sed -E 's/[0-9]+ minor faults/N minor faults/g; s/(minor faults so far )[0-9]+/\1N/g
                s/0x[0-9a-f]{8,}/0xADDR/g'
    }
fi

# What 12-channels and 13-page-faults measure differs from run to run (the
# lessons say so), so their numbers are compared as N.
measured() {
    case $1 in
    lessons/12-channels.md)
        # its table rows' numbers, a throughput, and the note a spin-only
        # ping-pong adds when it hits its bound on a busy machine
        sed -E 's/^(    [^ ].*[^ ]) +[0-9.e+-]+ +[0-9.]+ (ns|us|ms) +[0-9.]+ +[0-9.]+x.*$/\1 N/
                s/[0-9.]+ GiB\/s/N GiB\/s/g
                /^  (spin only: stopped after|a spin-only wait spun)/d' ;;
    lessons/13-page-faults.md)
        # times, rates, ratios and the fault counts beside them (and whether
        # "no faster" is said, and one fault or two, with them)
        sed -E -e '/minor faults? in |pages a fault|faults a page|x the first|minflt|^  .{36} +[0-9]+ +[0-9]+ +[-0-9.]+ +[0-9.]+/ s/[0-9]+(\.[0-9]+)?/N/g' \
            -e 's/, so here no faster: [^;]*itself//' -e 's/N (minor )?faults/N \1fault/g' -e 's/  +/ /g' ;;
    *) cat ;;
    esac
}

for f in lessons/*.md; do
    g=$gen/$(basename "$f")
    if cmp -s <(mask <"$f" | measured "$f") <(mask <"$g" | measured "$f"); then
        ok "$f: its excerpts and outputs match the sources and a fresh run"
    else
        d=$(diff -u --label "$f (committed)" --label "$f (regenerated now)" <(mask <"$f" | measured "$f") <(mask <"$g" | measured "$f"))
        n=$(printf '%s\n' "$d" | wc -l)
        [ "$n" -gt 120 ] && d="$(printf '%s\n' "$d" | head -n 120)
... ($((n - 120)) more lines of diff)"
        not_ok "$f: its excerpts and outputs match the sources and a fresh run" \
            "$d" "If the new text is right: make lessons, then commit it."
    fi
done

# Parts kept because this run lacks a capability were not checked.
kept=$(printf '%s\n' "$out" | grep 'kept as it was' | sed 's/: kept as it was//')
if [ -n "$kept" ]; then
    skip "drift of the parts that need privileges" \
        "not checked in this run: $(echo "$kept" | tr '\n' ';' | sed 's/;$//')"
fi

left=$(ls /dev/shm | grep "^$PREFIX-$SUITE" || true)
expect_eq "make lessons leaves nothing in /dev/shm" "" "$left"
expect_eq "make lessons leaves nothing in its temporary directory" "" \
    "$(find "$tmp" -mindepth 1 -print | head -n 5)"

done_testing
