#!/bin/bash
# 10-mapped-array: a 5 GiB sparse NPY file written through one view, checked
# from outside (size, allocated blocks, the view's smaps) and read by numpy
# with mmap_mode="r"; files numpy writes (versions 1.0 and 2.0, both byte
# orders, C and Fortran order, one past 4 GiB) read by --read; types it
# does not support and broken files refused with a clear error, no crash.
. "$(dirname "$0")/../lib.sh"

TC=$TOOLS/tracecheck
PY=/usr/bin/python3
RT=$ROOT/tests/demos/npy_roundtrip.py
if "$PY" -c 'import numpy' 2>/dev/null; then HAVE_NUMPY=1; else HAVE_NUMPY=0; fi
numpy_or_skip() {
    [ $HAVE_NUMPY = 1 ] && return 0
    skip "$1" "numpy is missing for /usr/bin/python3 (sudo apt-get install python3-numpy)"
    return 1
}
# readv FILE: 10-mapped-array --read FILE; sets OUT and RC.
readv() { OUT=$("$BIN/10-mapped-array" --read "$1" --trace off </dev/null 2>&1); RC=$?; }

# ---- the default: more than 4 GiB, sparse --------------------------------
A=$T_SCRATCH/big.npy; TR=$(t_trace)
start_held w "$BIN/10-mapped-array" -o "$A" --trace "$TR"
if wait_event "$TR" 10-mapped-array hold; then
    P=$(pid_of w); AD=$("$TC" get "$TR" --call mmap addr)
    expect_eq "from outside: the file is 5 GiB and 128 bytes" 5368709248 "$(stat -c %s "$A")"
    used=$(( $(stat -c '%b * %B' "$A") ))
    check "from outside: it takes almost no disk ($used bytes allocated): sparse" test "$used" -lt 1048576
    expect_eq "from outside: one view covers the whole file (smaps Size)" 5242884 "$(smaps_field "$P" "$AD" Size)"
    rss=$(smaps_field "$P" "$AD" Rss)
    check "from outside: only the touched pages are resident (Rss $rss kB)" test "${rss:-999999}" -lt 1024
else
    not_ok "10-mapped-array reaches its hold" "$(out_of w; err_of w)"
fi
finish w 60
expect_eq "10-mapped-array exits 0" 0 "$T_STATUS"
out=$(out_of w)
expect_match "the size is shown split into the High and Low DWORDs Win32 needs" \
    "ftruncate\([0-9]+, 5368709248 /\* High 0x1, Low 0x40000080 \*/\) = 0" "$out"
expect_match "a value is stored past 4 GiB" "a\[671088639\] = 671088639 at file offset 0x140000078: past 4 GiB" "$out"
check "the trace is well-formed" "$TC" validate "$TR"
expect_eq "the trace names the file as the object" "$A" "$("$TC" get "$TR" --call ftruncate object)"
expect_match "the header is shown" "\{'descr': '<f8', 'fortran_order': False, 'shape': \(671088640,\), \}" "$out"
if numpy_or_skip "numpy reads the 5 GiB file"; then
    check "numpy reads the 5 GiB file with mmap_mode=\"r\": type, shape, the values set" \
        "$PY" "$RT" check "$A" '<f8' 671088640
fi
readv "$A"
expect_eq "--read reads it back (exit 0)" 0 "$RC"
expect_match "--read shows the type" "type '<f8': 8-byte float, little-endian" "$OUT"
expect_match "--read shows the shape" "shape \(671088640,\): 671088640 elements, 5368709120 bytes, C \(row-major\) order" "$OUT"
expect_match "--read shows the last value" "^  \[671088639\] = 671088639$" "$OUT"
rm -f "$A"

# ---- big-endian, small ---------------------------------------------------
A=$T_SCRATCH/be.npy
out=$("$BIN/10-mapped-array" -o "$A" --count 1000 --big-endian --no-hold --trace off </dev/null 2>&1); rc=$?
expect_eq "--big-endian --count 1000 exits 0" 0 "$rc"
expect_eq "the data starts at 128, a multiple of 64 (the header's length field)" "118" \
    "$(od -An -tu2 -j8 -N2 "$A" | tr -d ' ')"
if numpy_or_skip "numpy reads a big-endian file of ours"; then
    check "numpy reads our big-endian file" "$PY" "$RT" check "$A" '>f8' 1000
fi
readv "$A"
expect_match "--read decodes our big-endian file" "^  \[999\] = 999$" "$OUT"

# ---- files numpy writes ----------------------------------------------------
# value DESCR J: element J as --read prints it (npy_roundtrip.py's value()).
value() {
    case $1 in
    *b1) [ $(( $2 % 2 )) = 1 ] && echo True || echo False ;;
    *f*) awk -v j="$2" 'BEGIN { v = j * 0.5 - 3; printf (v == int(v) ? "%d\n" : "%.1f\n"), v }' ;;
    *i*) echo $(( $2 - 3 )) ;;
    *)   echo "$2" ;;
    esac
}
if numpy_or_skip "files written by numpy"; then
    for v in 1 2; do
        for d in '<f8' '>f8' '<f4' '>f4' '<i2' '>i4' '>i8' '<u4' '>u2' '|u1' '|i1' '|b1'; do
            for order in C F; do
                [ $order = F ] && [ "$d" != '>i4' ] && [ "$d" != '<f8' ] && continue
                A=$T_SCRATCH/np-$v-$order.npy
                "$PY" "$RT" write "$A" "$d" 2x5 $order $v >/dev/null || { not_ok "numpy writes $d v$v $order"; continue; }
                readv "$A"
                want="$(for j in 0 1 2 7 8 9; do echo "[$j] = $(value "$d" $j)"; done)"
                got="$(printf '%s\n' "$OUT" | sed -n 's/^  \(\[[0-9]*\] = .*\)$/\1/p')"
                ord=$([ $order = F ] && echo Fortran || echo C)
                if [ $RC = 0 ] && [ "$got" = "$want" ] &&
                   printf '%s\n' "$OUT" | grep -q "NPY $v.0, .*" &&
                   printf '%s\n' "$OUT" | grep -q "shape (2, 5): 10 elements, .* $ord"; then
                    ok "--read reads numpy's $d, version $v.0, $ord order"
                else
                    not_ok "--read reads numpy's $d, version $v.0, $ord order" "want: $want" "out: $OUT"
                fi
            done
        done
    done

    A=$T_SCRATCH/np-big.npy
    check "numpy writes a sparse file past 4 GiB with open_memmap" "$PY" "$RT" write-big "$A"
    readv "$A"
    expect_eq "--read reads numpy's > 4 GiB file: exit, first value, shape, last value (past 4 GiB)" \
        "0 1.5 536870922 -2.5" \
        "$RC $(printf '%s\n' "$OUT" | sed -n 's/^  \[0\] = //p') $(printf '%s\n' "$OUT" | sed -n 's/^  shape (\([0-9]*\),).*/\1/p') $(printf '%s\n' "$OUT" | sed -n 's/^  \[536870921\] = //p')"
    rm -f "$A"

    for k in complex unicode structured datetime half; do
        A=$T_SCRATCH/other-$k.npy
        "$PY" "$RT" write-other "$A" $k >/dev/null
        readv "$A"
        if [ $RC = 1 ] && printf '%s\n' "$OUT" | grep -q "cannot be read as an array: .*not supported"; then
            ok "a $k array from numpy is refused with a clear error (exit 1)"
        else
            not_ok "a $k array from numpy is refused with a clear error (exit 1)" "exit $RC" "$OUT"
        fi
    done
fi

# ---- broken files: a clear error, never a crash -----------------------------
A=$T_SCRATCH/ok.npy
"$BIN/10-mapped-array" -o "$A" --count 100 --no-hold -q --trace off </dev/null >/dev/null 2>&1
head -c 60 "$A" > "$T_SCRATCH/cut-header.npy"
head -c 500 "$A" > "$T_SCRATCH/cut-data.npy"
printf 'just some text\n' > "$T_SCRATCH/text.npy"
: > "$T_SCRATCH/empty.npy"
mkdir -p "$T_SCRATCH/dir.npy"
sed 's/(100,)/(100) /' "$A" > "$T_SCRATCH/not-tuple.npy"
declare -A why=(
    [cut-header]="the header is 118 bytes long, but only 50 bytes follow"
    [cut-data]="cut short: its header describes 800 bytes of data from offset 128"
    [text]="not an NPY file"
    [empty]="is empty"
    [dir]="not a regular file"
    [not-tuple]="a number in parentheses, not a tuple"
    [missing]="open failed: ENOENT"
)
for k in "${!why[@]}"; do
    readv "$T_SCRATCH/$k.npy"
    if [ $RC = 1 ] && printf '%s\n' "$OUT" | grep -qF -- "${why[$k]}"; then
        ok "a broken file ($k) is refused, exit 1: ${why[$k]}"
    else
        not_ok "a broken file ($k) is refused, exit 1: ${why[$k]}" "exit $RC" "$OUT"
    fi
done
out=$("$BIN/10-mapped-array" --count 0 </dev/null 2>&1); rc=$?
expect_eq "--count 0 is a usage error" 2 "$rc"

done_testing
