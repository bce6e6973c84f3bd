# checks.sh — lab 05, a portable mapped array, judged from outside: the
# file's header bytes as written, numpy reading the file (/usr/bin/python3,
# labs/05-portable-array/npycheck.py), mmaplab's own 10-mapped-array --read
# reading it, in both byte orders, and the program's calls under strace.

LAB_TITLE="a portable mapped array: an NPY header that says word size, byte order and shape"
LAB_CHECKS=(header:2 shape:2 little:2 big:2 cleanup:1)

LAB_WHAT[header]="the file starts with an NPY 1.0 header: magic, HEADER_LEN, the data at a multiple of 64"
LAB_WHAT[shape]="numpy sees 8-byte signed elements ('i8'), shape (ROWS, COLS), C order"
LAB_WHAT[little]="'little': the header says '<i8', and numpy and 10-mapped-array --read read every value right"
LAB_WHAT[big]="'big': the header says '>i8', and numpy and 10-mapped-array --read read every value right"
LAB_WHAT[cleanup]="the file written through a MAP_SHARED mapping, then munmap, close, exit 0"

LAB_READ[header]='lessons/10-mapped-array.md, "The POSIX step" and "Why"'
LAB_READ[shape]='lessons/10-mapped-array.md, "Why"'
LAB_READ[little]='lessons/10-mapped-array.md, "Why" and "Pitfalls"'
LAB_READ[big]='lessons/10-mapped-array.md, "Pitfalls"'
LAB_READ[cleanup]='lessons/02-map.md, "The POSIX step"; lessons/05-close.md, "The POSIX step"'

LAB05_ROWS=6 LAB05_COLS=700     # 33600 bytes of data: more than a page

# lab05_look FILE: numpy's and the header's view, as LOOK[key].
lab05_look() {
    declare -gA LOOK=()
    local k v
    while IFS='=' read -r k v; do
        [ -n "$k" ] && LOOK[$k]=$v
    done < <(OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 timeout -k 1 30 /usr/bin/python3 "$LABS_DIR/05-portable-array/npycheck.py" "$1" "$LAB05_ROWS" "$LAB05_COLS" 2>&1)
}

# lab05_mmaplab FILE DESCR: what 10-mapped-array --read says wrong, or nothing.
lab05_mmaplab() {
    local out n=$((LAB05_ROWS * LAB05_COLS)) k want got
    out=$(timeout -k 1 10 "$BIN/10-mapped-array" -q --read "$1" 2>&1)
    if ! grep -qF "type '$2'" <<< "$out"; then
        echo "10-mapped-array --read: $(g_esc "$(head -n 3 <<< "$out")")"
        return
    fi
    for k in 0 1 2 $((n - 3)) $((n - 2)) $((n - 1)); do
        want=$(( (k / LAB05_COLS) * 1000 + k % LAB05_COLS ))
        got=$(sed -n "s/^ *\[$k\] = //p" <<< "$out")
        if [ "$got" != "$want" ]; then
            echo "10-mapped-array --read shows [$k] = $(g_esc "${got:-nothing}"), not $want"
            return
        fi
    done
}

# lab05_order CHECK FILE KEY DESCR: the little or big check.
lab05_order() {
    local c=$1 f=$2 key=$3 descr=$4 status bad
    status=$(g_status "$key")
    if [ "$status" != "exit 0" ] || [ ! -f "$f" ]; then
        g_fail "$c" "'$c' ended with $status; stderr \"$(g_err "$key")\"" "exit 0 and the file made"
        return
    fi
    lab05_look "$f"
    if [ "${LOOK[numpy]:-}" != ok ]; then
        g_fail "$c" "numpy could not read it: ${LOOK[numpy]:-no answer}" "numpy.load(FILE, mmap_mode='r') reads it"
    elif [ "${LOOK[descr]:-}" != "$descr" ]; then
        g_fail "$c" "the header says 'descr': '${LOOK[descr]:-?}'" \
            "'$descr': the byte order said outright ('=' means whatever machine reads it)"
    elif [ "${LOOK[values]:-}" != ok ]; then
        g_fail "$c" "numpy: ${LOOK[values]:-no values}" "a[r][c] = r * 1000 + c, stored in the order the header says"
    else
        bad=$(lab05_mmaplab "$f" "$descr")
        if [ -n "$bad" ]; then g_fail "$c" "$bad" "mmaplab's reader sees the same values as numpy"
        else g_pass "$c" "'$descr': numpy reads all $((LAB05_ROWS * LAB05_COLS)) values right, 10-mapped-array --read too"; fi
    fi
}

# lab05_after KEY FILE REGEX: its calls matching REGEX made after it opened
# FILE (the loader's own mmaps and closes come before).
lab05_after() {
    g_calls "$1" "" | OBJ="\"$2\"" RE="^($3)" awk '
        BEGIN { obj = ENVIRON["OBJ"]; re = ENVIRON["RE"] }
        seen && $0 ~ re { print }
        !seen && index($0, obj) && /^open(at)?\(/ && / = [0-9]+$/ { seen = 1 }'
}

lab_run() {
    local dir=$G_WORK/lab05 fl fb status fd missing addr maps
    if ! OPENBLAS_NUM_THREADS=1 timeout -k 1 30 /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
        echo "  grade: lab 05 reads the files with numpy, and /usr/bin/python3 has no numpy" \
             "(Debian: sudo apt-get install python3-numpy)"
        return
    fi
    mkdir -p "$dir"
    fl=$dir/little.npy fb=$dir/big.npy
    g_start wl "$G_PROG" "$fl" "$LAB05_ROWS" "$LAB05_COLS" little
    g_finish wl 10
    g_start wb "$G_PROG" "$fb" "$LAB05_ROWS" "$LAB05_COLS" big
    g_finish wb 10

    # header and shape: from the little file (the big one, if it is missing).
    local f=$fl key=wl
    [ -f "$f" ] || { f=$fb key=wb; }
    status=$(g_status "$key")
    if [ ! -f "$f" ]; then
        g_fail header "no file was made ($status); stderr \"$(g_err "$key")\"" "the file FILE, made with open(O_CREAT | O_EXCL)"
        g_fail shape "no file was made" "the file FILE"
    else
        lab05_look "$f"
        if [ "${LOOK[header]:-}" = ok ]; then g_pass header "\\x93NUMPY 1.0, the data at a multiple of 64, the size right"
        else g_fail header "${LOOK[header]:-no answer from the checker}" "\\x93NUMPY, 1, 0, HEADER_LEN (little-endian uint16), the dict, spaces, '\\n'; the data at a multiple of 64"; fi
        local want="($LAB05_ROWS, $LAB05_COLS)"
        if [ "${LOOK[numpy]:-}" != ok ]; then
            g_fail shape "numpy could not read it: ${LOOK[numpy]:-no answer}" "numpy.load reads it"
        elif [ "${LOOK[descr]:1}" != i8 ] || [ "${LOOK[shape]:-}" != "$want" ] || [ "${LOOK[fortran]:-}" != False ]; then
            g_fail shape "descr '${LOOK[descr]:-?}', shape ${LOOK[shape]:-?}, fortran_order ${LOOK[fortran]:-?} for $LAB05_ROWS rows of $LAB05_COLS" \
                "'i8' (8-byte signed, with its byte order), shape $want, fortran_order False"
        else
            g_pass shape "'i8', shape $want, C order"
        fi
    fi

    lab05_order little "$fl" wl "<i8"
    lab05_order big "$fb" wb ">i8"

    # cleanup, from the little run: its calls on the file it opened.
    fd=$(g_calls wl "open(at)?\(.*\"$fl\"" | sed -n 's/.*= \([0-9][0-9]*\)$/\1/p' | head -n1)
    status=$(g_status wl)
    missing=""
    if [ -z "$fd" ]; then
        missing="it never opened $fl"
    else
        maps=$(lab05_after wl "$fl" "mmap\\(.*, $fd, 0\\) = 0x")
        if [ -z "$maps" ]; then missing="no mmap of the file;"
        elif grep -vq MAP_SHARED <<< "$maps"; then missing="$missing a mapping without MAP_SHARED: $(g_esc "$(grep -v MAP_SHARED <<< "$maps" | head -n1)");"; fi
        for addr in $(sed -n 's/.* = \(0x[0-9a-f]*\)$/\1/p' <<< "$maps"); do
            lab05_after wl "$fl" "munmap\\($addr, " | grep -q '= 0$' || missing="$missing no munmap($addr, ...);"
        done
        lab05_after wl "$fl" "close\\($fd\\)" | grep -q '= 0$' || missing="$missing no close($fd);"
        [ "$status" = "exit 0" ] || missing="$missing it ended with $status;"
    fi
    if [ -z "$missing" ]; then g_pass cleanup "MAP_SHARED, munmap, close, exit 0"
    else g_fail cleanup "${missing# }" "mmap(MAP_SHARED) of the file, then munmap and close, each checked, exit 0"; fi
}
