#!/bin/bash
# escape.sh — a name or a message from outside never acts on the terminal:
# the walkthrough run with hostile -n and -m prints no control byte of them
# (with NO_COLOR, no ESC at all; with colour on a terminal, only the
# library's own SGR codes), and 04-open marks a message it cuts.
. "$(dirname "$0")/../lib.sh"

base=$(t_name)
N="$base"$'\e]0;PWNED\a\e[2J\e[31mRED\x9b\xc2\x9b\r\x7f'
M=$'hi\e]0;pwn\a\e[2J\nline two\x01\x7f\xc2\x85'
bad="/$PREFIX-$SUITE-x"$'\e[2J/y'
trap 't_cleanup; rm -f "/dev/shm/${N#/}"' EXIT

# Every byte but newline and printable ASCII (and, under a terminal, \r).
ctl() { LC_ALL=C tr -d '\n\r\040-\176' | wc -c; }

walk() {
    "$BIN/01-create" -n "$N"
    "$BIN/02-map" -n "$N" --no-hold
    "$BIN/03-copy" -n "$N" -m "$M" --no-hold
    "$BIN/04-open" -n "$N" --no-hold
    "$BIN/03-copy" -n "$N" -m "$M" --step <<<$'\n\n\n\n\n\n\n'
    "$BIN/05-close" -n "$N"
    "$BIN/04-open" -n "$N" --no-hold          # ENOENT: the hint names it
    "$BIN/01-create" -n "$bad"                # a usage error quotes it
}

walk >"$T_SCRATCH/out" 2>"$T_SCRATCH/err" </dev/null
expect_eq "NO_COLOR: no control byte on stdout" 0 "$(ctl <"$T_SCRATCH/out")"
expect_eq "NO_COLOR: no control byte on stderr" 0 "$(ctl <"$T_SCRATCH/err")"
check "the walkthrough ran (the name was made and removed)" \
    grep -q "^\[unlink\]" "$T_SCRATCH/out"
shown="$base"'\x1b]0;PWNED\x07\x1b[2J\x1b[31mRED\x9b\xc2\x9b\r\x7f'
check "the object line shows the name escaped" \
    grep -qF "  object $shown   pid" "$T_SCRATCH/out"
expect_match "04-open shows the message escaped, on one line" \
    '^hi\\x1b\]0;pwn\\x07\\x1b\[2J\\nline two\\x01\\x7f\\xc2\\x85$' "$(cat "$T_SCRATCH/out")"
expect_match "03-copy's call line shows it the same way (one line per call)" \
    '^  memcpy\(0x[0-9a-f]+, "hi\\x1b\]0;pwn\\x07\\x1b\[2J\\nline two\\x01\\x7f\\xc2\\x85", 28\) = 0x' "$(cat "$T_SCRATCH/out")"
check "the hint on stderr names the object escaped" \
    grep -qF "no shared memory object named $shown;" "$T_SCRATCH/err"
check "the usage error quotes the name escaped" \
    grep -qF "the name '/$PREFIX-$SUITE-x\\x1b[2J/y' has a '/'" "$T_SCRATCH/err"

# Colour on a terminal: ESC only in the library's own SGR codes.
if need_tool script; then
    export -f walk
    env -u NO_COLOR TERM=xterm SHELL=/bin/bash N="$N" M="$M" bad="$bad" BIN="$BIN" \
        script -qec 'walk' /dev/null </dev/null >"$T_SCRATCH/tty" 2>&1
    sgr=$(LC_ALL=C grep -aoE $'\e\\[[0-9;]*m' "$T_SCRATCH/tty" | sort -u | tr -d '\033' | tr '\n' ' ')
    expect_match "colour on: the SGR codes are the library's" \
        '^(\[(0|1|2|31|32|33|1;32|1;35|1;36)m )+$' "$sgr"
    rest=$(LC_ALL=C sed $'s/\e\\[[0-9;]*m//g' "$T_SCRATCH/tty" | ctl)
    expect_eq "colour on: no other control byte reaches the terminal" 0 "$rest"
    check "colour on: colour was really on" grep -qa $'\e\\[1;36m' "$T_SCRATCH/tty"
    # Each part of a call line in its own code: the name bold, the result
    # green, the Win32 twin dim, each ended by a reset.
    check "colour on: a call line's codes are exactly bold, green and dim" \
        grep -qaE $'^  \e\\[1mshm_open\e\\[0m\\(.*\\) = \e\\[32m[0-9]+\e\\[0m   \e\\[2m\\[Win32: [^]]*\\]\e\\[0m\r?$' "$T_SCRATCH/tty"
else
    skip "colour on a terminal" "script (util-linux) is not installed"
fi

# 04-open cuts a long message with a mark and says how much it did not show.
L=$(t_name)
"$BIN/01-create" -q -n "$L" -s 8k --trace off
"$BIN/03-copy" -q -n "$L" -m "$(head -c 3000 /dev/zero | tr '\0' 'a')" --no-hold --trace off
out=$("$BIN/04-open" -n "$L" --no-hold --trace off 2>&1)
expect_match "04-open marks the cut" '^a+\.\.\. \[[0-9]+ more bytes not shown\]$' "$out"
n_cut=$(printf '%s\n' "$out" | sed -n 's/.*\[\([0-9]*\) more bytes not shown\]$/\1/p')
n_shown=$(printf '%s\n' "$out" | grep -E '^a+\.\.\.' | tr -cd a | wc -c)
expect_eq "...the shown and the cut bytes make the message" 3000 $((n_shown + n_cut))
expect_match "...and says so in words" \
    "only the first $n_shown of the message's 3000 bytes are shown above" "$out"
"$BIN/05-close" -q -n "$L" --trace off
done_testing
