#!/bin/bash
# The lessons' shape: every numbered program has its lesson, every lesson
# has the parts the index promises in the order it gives, exercises and
# folded answers, a runnable block, a real output and a viewer snapshot;
# the index lists every lesson; every relative link leads to a file; every
# shell block says how it is run, or is plainly not run.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 1

# has DESC PATTERN FILE: a line of FILE matches the ERE (quiet on failure).
has() {
    if grep -Eq -- "$2" "$3"; then ok "$1"; else not_ok "$1" "no line of $3 matches: $2"; fi
}

PARTS=("Goal" "The Win32 step" "The POSIX step" "Run it" "What you see"
       "Why" "Pitfalls" "Try this" "Check yourself")

for src in demos/[0-9][0-9]-*.c; do
    base=$(basename "$src" .c)
    if [ -f "lessons/$base.md" ]; then
        ok "$base has its lesson, lessons/$base.md"
    else
        not_ok "$base has its lesson, lessons/$base.md" "no such file"
    fi
    has "the index lists lessons/$base.md" "\]\($base\.md\)" lessons/README.md
done

for f in lessons/[0-9][0-9]-*.md; do
    base=$(basename "$f" .md)
    [ -f "demos/$base.c" ] || not_ok "$f is the lesson of a program" "no demos/$base.c"
    heads=$(sed -n 's/^## //p' "$f" | tr '\n' '|')
    want=$(printf '%s|' "${PARTS[@]}")
    expect_eq "$f has its parts, in order" "$want" "$heads"

    n=$(sed -n '/^## Try this/,/^## /p' "$f" | grep -c '^[0-9]\. ')
    if [ "$n" -ge 2 ] && [ "$n" -le 3 ]; then ok "$f has 2 or 3 exercises"
    else not_ok "$f has 2 or 3 exercises" "found $n numbered items under Try this"; fi
    n=$(sed -n '/^## Check yourself/,$p' "$f" | grep -c '^<details>')
    if [ "$n" -ge 3 ]; then ok "$f has questions with folded answers"
    else not_ok "$f has questions with folded answers" "found $n <details>"; fi
    has "$f has a block run as written (sh run)" '^```sh run$' "$f"
    has "$f quotes its program between lesson markers" \
        "^ *<!-- excerpt demos/$base\.c " "$f"
    has "$f quotes a Win32 twin between lesson markers" \
        '^ *<!-- excerpt demos/win32/' "$f"
    has "$f shows a real output of its program" "^\\\$ bin/$base" "$f"
    has "$f shows an mmapview --once snapshot" '^\$ bin/mmapview --once' "$f"
done

# Links: every relative target exists (anchors are not checked).
bad=
for f in lessons/*.md; do
    for l in $(grep -o '](\([^)#]*\)' "$f" | sed 's/^](//' | grep -v '^[a-z]*:' | sort -u); do
        [ -n "$l" ] || continue
        [ -e "lessons/$l" ] || bad="$bad$f: $l
"
    done
done
expect_eq "every relative link in the lessons leads to a file" "" "$bad"

# Every shell block is run (run, t1-t3, win32, live, numpy, python) or plainly
# not (sh).
odd=$(grep -n '^ *```sh' lessons/*.md | grep -Ev '```sh( (run|t[1-3]|win32|live|numpy|python))?$' || true)
expect_eq "every shell block's info string is one the command test knows" "" "$odd"

done_testing
