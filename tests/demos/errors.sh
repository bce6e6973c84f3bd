#!/bin/bash
# Every error path of 01-05: what the student sees, the exit status, the
# trace, and that nothing is left half-made in /dev/shm.
. "$(dirname "$0")/../lib.sh"

TC=$TOOLS/tracecheck

# run PROG ARGS...: sets RC, OUT (stdout) and ERR (stderr).
run() {
    local p=$1; shift
    OUT=$("$BIN/$p" "$@" 2>"$T_SCRATCH/err" </dev/null); RC=$?
    ERR=$(cat "$T_SCRATCH/err")
}

# ---- 02, 03, 04, 05 before 01: ENOENT and the hint ------------------------
for p in 02-map 03-copy 04-open 05-close; do
    N=$(t_name); TR=$(t_trace)
    run $p -n "$N" --trace "$TR"
    expect_eq "$p before 01-create exits 1" 1 "$RC"
    expect_match "$p before 01-create names ENOENT and says to run 01-create first" \
        "error: shm_open failed: ENOENT \(No such file or directory\)" "$ERR"
    expect_match "$p's hint gives the command to run" "next: .*run 01-create first \(01-create -n $N\)" "$ERR"
    expect_eq "$p traces the failed call and the explained error" "ENOENT error 1" \
        "$("$TC" get "$TR" --call shm_open errno) $("$TC" get "$TR" --event error event) $("$TC" get "$TR" --event exit status)"
    check "$p before 01-create creates nothing" test ! -e "/dev/shm/${N#/}"
done

# ---- 01 twice: EEXIST, the owner named ------------------------------------
N=$(t_name)
run 01-create -n "$N"
expect_eq "01-create on a new name exits 0" 0 "$RC"
run 01-create -n "$N" -s 4k
expect_eq "01-create on a taken name exits 1" 1 "$RC"
expect_match "EEXIST is explained with the owner's name, uid and the mode" \
    "owned by $(id -un) \(uid $(id -u)\), mode 0600" "$ERR"
expect_match "...and, as it is the user's own, says it is a leftover to use or remove" \
    "you made $N earlier .*outlives the program.*05-close -n $N" "$ERR"
expect_eq "the existing object is untouched (still 256 bytes)" 256 "$(stat -c %s "/dev/shm/${N#/}")"
run 05-close -n "$N"

# ---- a message that does not fit ------------------------------------------
N=$(t_name)
run 01-create -n "$N" -s 16
run 03-copy -n "$N" -m "this message is longer than sixteen bytes"
expect_eq "a message too large for the object is refused (exit 2)" 2 "$RC"
expect_match "the refusal names both sizes" "42 bytes with its NUL, and $N holds only 16" "$ERR"
check "the object's bytes are untouched (16 zeros)" cmp "/dev/shm/${N#/}" <(head -c 16 /dev/zero)
run 03-copy -n "$N" -m "fifteen bytes!!" --no-hold
expect_eq "a message of exactly the object's size with its NUL fits" 0 "$RC"
run 05-close -n "$N"

# ---- bad names: each rule, refused before any call -------------------------
long=$(printf 'x%.0s' $(seq 256))
declare -A rule=(
    ["noslash"]="must begin with '/'"
    ["/"]="nothing after the '/'"
    ["/a/b"]="has a '/' after the first character"
    ["/$long"]="256 characters after the '/'; the limit is 255"
    ["/."]="'/.' cannot be a name"
    ["/.."]="'/..' cannot be a name"
)
for name in "${!rule[@]}"; do
    for p in 01-create 04-open; do
        TR=$(t_trace)
        run $p -n "$name" --trace "$TR"
        shown=${name:0:12}
        expect_eq "$p -n '$shown' exits 2" 2 "$RC"
        expect_match "$p -n '$shown' states the rule: ${rule[$name]}" "${rule[$name]}" "$ERR"
        expect_eq "$p -n '$shown' makes no call" 0 "$("$TC" count "$TR" --event call)"
    done
done
run 01-create -n ""
expect_match "an empty name is refused with the rule" "must begin with '/'" "$ERR"
N=$(t_name)
N255="$N-$(printf 'y%.0s' $(seq $(( 255 - ${#N} + 1 - 1 ))))"
run 01-create -n "$N255"
expect_eq "a name of exactly 255 characters after the '/' is accepted" "0 255" "$RC $(( ${#N255} - 1 ))"
run 05-close -n "$N255"
OUT=$(MMAPLAB_NAME=bad-name "$BIN/01-create" 2>&1); RC=$?
expect_eq "a bad \$MMAPLAB_NAME is refused too" 2 "$RC"
expect_match "...saying where the name came from" "must begin with '/'.*\(from MMAPLAB_NAME\)" "$OUT"

# ---- bad sizes: each rule ---------------------------------------------------
declare -A srule=(
    ["0"]="is zero"
    ["-5"]="is negative"
    ["abc"]="is not a decimal number"
    ["12x"]="unknown ending 'x'"
    ["1.5k"]="unknown ending '.5k'"
    ["99999999999999999999"]="past the largest file offset"
    ["9000000000G"]="past the largest file offset"
    ["9223372036854775000"]="past the largest file offset this system has, in whole pages: at most [0-9]+ bytes"
    ["0x10"]="unknown ending 'x10'"
)
for s in "${!srule[@]}"; do
    N=$(t_name)
    run 01-create -n "$N" -s "$s"
    expect_eq "01-create -s '$s' exits 2" 2 "$RC"
    expect_match "01-create -s '$s' states the rule: ${srule[$s]}" "${srule[$s]}" "$ERR"
    check "01-create -s '$s' creates nothing" test ! -e "/dev/shm/${N#/}"
done
for s in 4k:4096 2KiB:2048 1M:1048576 1mb:1048576 100B:100 7:7; do
    N=$(t_name)
    run 01-create -n "$N" -s "${s%%:*}"
    expect_eq "01-create -s ${s%%:*} makes an object of ${s#*:} bytes" "0 ${s#*:}" \
        "$RC $(stat -c %s "/dev/shm/${N#/}" 2>&1)"
    run 05-close -n "$N"
done

# ---- a size the system cannot hold: an explained error from the call --------
N=$(t_name)
run 01-create -n "$N" -s 4294967296G          # 4 EiB: below off_t's limit
if [ "$RC" = 0 ]; then
    run 02-map -n "$N" --no-hold
    expect_eq "mapping a 4 EiB object fails (exit 1)" 1 "$RC"
    expect_match "...with mmap's ENOMEM explained" "mmap failed: ENOMEM" "$ERR"
    expect_match "...and the hint says why" "address space in all: no process can map an object that large" "$ERR"
    run 05-close -n "$N"
    expect_eq "05-close still removes an object it cannot map" "0" "$RC$(test -e "/dev/shm/${N#/}" && echo ' left')"
else
    expect_match "a 4 EiB object is refused by ftruncate, explained" "ftruncate failed: E" "$ERR"
fi

# ---- nothing half-made: ftruncate fails, the name is taken back -------------
N=$(t_name)
OUT=$(trap '' XFSZ; ulimit -f 1; "$BIN/01-create" -n "$N" -s 1M 2>&1); RC=$?
expect_eq "01-create whose ftruncate fails (RLIMIT_FSIZE) exits 1" 1 "$RC"
expect_match "...explains EFBIG" "ftruncate failed: EFBIG" "$OUT"
expect_match "...and says it removed the name again" "removed again; nothing is left behind" "$OUT"
check "...and leaves nothing in /dev/shm" test ! -e "/dev/shm/${N#/}"

# ---- usage ------------------------------------------------------------------
run 03-copy -s 4k
expect_eq "an option a program does not take is refused" 2 "$RC"
expect_match "...with the program that does take it" "takes no size: .*01-create -s SIZE" "$ERR"
run 01-create extra
expect_match "an unexpected argument is refused" "unexpected argument 'extra'" "$ERR"
run 01-create -n
expect_match "a missing option argument is refused" "option '-n' needs an argument" "$ERR"
run 03-copy --help
expect_eq "--help exits 0" 0 "$RC"
expect_match "--help has the usage line" "^Usage: 03-copy \[-n NAME\] \[-m TEXT\] \[--step\] \[--no-hold\]" "$OUT"
expect_match "--help names the programs before and after and the Win32 step" \
    "Run before it: 02-map +Run after it: 04-open" "$OUT"
expect_match "...and the Win32 step" "^Win32 step it mirrors: CopyMemory" "$OUT"
run 05-close -V
expect_match "-V prints the version" "^05-close \(mmaplab\) [0-9]" "$OUT"

# ---- --step pauses before every call, showing it ------------------------------
N=$(t_name); TR=$(t_trace)
OUT=$(printf '\n\n\n\n' | "$BIN/01-create" -n "$N" --step --trace "$TR" 2>&1)
expect_match "--step shows the call before running it" \
    "next: shm_open\(\"$N\", O_CREAT \| O_EXCL \| O_RDWR, 0600\) +-- press Enter" "$OUT"
expect_eq "--step: the call's line comes after its pause" "next: shm_open" \
    "$(printf '%s\n' "$OUT" | grep -o 'next: shm_open\|shm_open(.*) = [0-9]' | head -n 1)"
expect_eq "--step records a hold and a resume before each of the 3 calls" "3 3" \
    "$("$TC" count "$TR" --event hold) $("$TC" count "$TR" --event resume)"
run 05-close -n "$N"

done_testing
