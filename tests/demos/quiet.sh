#!/bin/bash
# quiet: -q quiets narration only and never changes what a program does.
# For each program on its default path (and 10 --read), checked from
# outside: the system calls under strace, with and without -q, are the
# same (but for what goes to stdout and stderr), and at each hold the
# object's resident pages (/proc/PID/smaps Rss of its mappings, in the
# program and its children) and its blocks (stat) are the same.
. "$(dirname "$0")/../lib.sh"

if ! need_tool strace; then
    skip "strace comparison" "strace is not installed"; stop_here
fi

D=$T_SCRATCH/d; mkdir -p "$D"

# The calls of one run (strace -ff writes one file per process), made
# comparable: pids, addresses, fds and sizes become N, the bytes read or
# written BUF (addresses and frame numbers among them), the object's name
# and the scratch directory words, and strace's notes (/* 0.01 s */) go;
# writes and stdio's fstat on stdout and
# stderr go (that is what -q changes); signal lines go (their place
# depends on timing); a scan of /proc (opendir("/proc") to its closedir)
# is one line, since how many processes it meets depends on the machine;
# a call interrupted by a signal and restarted counts once.
# Under AddressSanitizer its allocator maps and unmaps anonymous memory of
# its own, when it likes: those calls are left out in that build only.
SANITIZED=0
grep -q fsanitize "$ROOT/build/flags" 2>/dev/null && SANITIZED=1
calls() {
    local base=$1 name=$2 f
    for f in $(ls "$base".* 2>/dev/null | sort -t. -k2 -n); do
        echo "== process"
        awk -v name="$name" -v dir="$T_SCRATCH" -v san="$SANITIZED" '
            /^--- / || /= \? ERESTART/ { next }
            san == 1 && (/^mmap\(.*MAP_ANONYMOUS/ || /^munmap\(/) { next }
            /^execve\(/ { print "execve"; next }
            scan != "" { if ($0 ~ "^close\\(" scan "\\)") { print "scan of /proc"; scan = "" } ; next }
            /^openat\(AT_FDCWD, "\/proc", / { scan = $NF; next }
            /^(write|writev|newfstatat|fstat)\((1|2),/ { next }
            /^(read|pread64|write|pwrite64)\(/ { gsub(/"([^"\\]|\\.)*"(\.\.\.)?/, "BUF") }
            { gsub(/ \/\* [^*]* \*\//, "")    # strace notes: CPU time in seconds, and such
              gsub(name, "NAME"); gsub(dir, "DIR"); gsub(/0x[0-9a-f]+/, "A"); gsub(/[0-9]+/, "N"); gsub(/ +/, " "); print }
        ' "$f"
    done
}

# traced KEY NAME CMD...: run CMD under strace into $T_SCRATCH/KEY.*,
# standard input at end (a hold goes on at once).
traced() {
    local key=$1; shift 2
    rm -f "$T_SCRATCH/$key".*
    strace -ff -qq -e trace=%file,%memory,%process,%desc -o "$T_SCRATCH/$key" \
        "$@" </dev/null >/dev/null 2>&1
}

# compare LABEL SETUP PROG ARGS...: SETUP (a function given the name) makes
# what the program needs; the program runs with and without -q.
compare() {
    local label=$1 setup=$2 q a b n; shift 2
    for q in loud quiet; do
        n=$(t_name)
        $setup "$n"
        if [ $q = quiet ]; then
            traced "$q" "$n" "$@" -q -n "$n" --trace off
        else
            traced "$q" "$n" "$@" -n "$n" --trace off
        fi
        calls "$T_SCRATCH/$q" "$n" > "$T_SCRATCH/calls-$q"
        rm -f "/dev/shm/${n#/}" "$D/mmaplab-pages.dat" "$D/array.npy"
        [ -s "$T_SCRATCH/calls-$q" ] || echo "no calls were traced" >> "$T_SCRATCH/calls-$q"
    done
    if cmp -s "$T_SCRATCH/calls-loud" "$T_SCRATCH/calls-quiet"; then
        ok "$label: the same system calls with and without -q"
    else
        not_ok "$label: the same system calls with and without -q" \
            "$(diff "$T_SCRATCH/calls-loud" "$T_SCRATCH/calls-quiet" | head -n 20)"
    fi
}

none()    { :; }
made()    { "$BIN/01-create" -q -n "$1" --trace off; }
message() { made "$1"; "$BIN/03-copy" -q -n "$1" --no-hold --trace off; }
array()   { "$BIN/10-mapped-array" -q -o "$D/array.npy" --count 100 --no-hold --trace off >/dev/null; }

cd "$D" || exit 1
compare 01-create  none    "$BIN/01-create"
rm -f /dev/shm/"$PREFIX-$SUITE-"*
compare 02-map     made    "$BIN/02-map"
compare 03-copy    made    "$BIN/03-copy"
compare 04-open    message "$BIN/04-open"
compare 05-close   message "$BIN/05-close"
compare 06-inherit none    "$BIN/06-inherit"
compare 07-file-pages none "$BIN/07-file-pages" -d "$D"
compare 08-private-cow none "$BIN/08-private-cow"
compare 09-reserve-grow none "$BIN/09-reserve-grow"
compare 10-mapped-array none "$BIN/10-mapped-array" -o "$D/array.npy"
compare "10-mapped-array --read" array "$BIN/10-mapped-array" --read "$D/array.npy"
compare 11-robust-mutex none "$BIN/11-robust-mutex"

# ---- at each hold, the same state from outside --------------------------

# The object's Rss (kB) summed over its mappings in pid and its children,
# how many mappings, and its blocks.
state() {
    local pid=$1 what=$2 file=$3 p rss=0 maps=0 r
    for p in $pid $(pgrep -P "$pid"); do
        r=$(awk -v w="$what" '
            /^[0-9a-f]+-[0-9a-f]+ / { on = index($0, w) > 0; if (on) m++ }
            on && /^Rss:/ { s += $2 }
            END { print s + 0, m + 0 }' "/proc/$p/smaps" 2>/dev/null)
        rss=$((rss + ${r% *})); maps=$((maps + ${r#* }))
    done
    echo "Rss ${rss}k in $maps mappings, $(stat -c %b "$file" 2>/dev/null) blocks"
}

# held LABEL SETUP PROG ARGS...: the state at the first hold, with and
# without -q.  The object is the -n name, or the file named by FILE=.
held() {
    local label=$1 setup=$2 q n tr want=() ; shift 2
    for q in loud quiet; do
        n=$(t_name); tr=$(t_trace)
        $setup "$n"
        local obj=${FILE:-/dev/shm/${n#/}} what=${FILE:-/dev/shm/${n#/}}
        [ $q = quiet ] && set -- "$@" -q
        start_held "$q" "$@" -n "$n" --trace "$tr"
        if wait_event "$tr" "$(basename "$1")" hold 1 60; then
            want+=("$(state "$(pid_of "$q")" "$what" "$obj")")
        else
            want+=("no hold: $(err_of "$q" | tail -n 3)")
        fi
        finish "$q" 120
        [ $q = quiet ] && set -- "${@:1:$(($# - 1))}"
        rm -f "/dev/shm/${n#/}" "$D/mmaplab-pages.dat" "$D/array.npy"
    done
    expect_eq "$label: at the hold, the object's state from outside is the same with -q (${want[0]})" \
        "${want[0]}" "${want[1]}"
}

held 02-map  made    "$BIN/02-map"
held 03-copy made    "$BIN/03-copy"
held 04-open message "$BIN/04-open"
FILE=$D/mmaplab-pages.dat held 07-file-pages none "$BIN/07-file-pages" -d "$D"
FILE=$D/array.npy held 10-mapped-array none "$BIN/10-mapped-array" -o "$D/array.npy" --count 100000

# ---- what -q still prints ------------------------------------------------

array
out=$("$BIN/10-mapped-array" -q --read "$D/array.npy" --trace off 2>&1)
expect_match "10 --read -q prints its results: the type" "^  type '<f8'" "$out"
expect_match "...and the values" '^  \[99\] = 99' "$out"
rm -f "$D/array.npy"
n=$(t_name); made "$n"
out=$(echo | "$BIN/02-map" -q -n "$n" --trace off 2>&1)
expect_match "02-map -q still says that it waits for Enter" "^\[hold\] press Enter to go on$" "$out"
out=$("$BIN/02-map" -q -n "$n" --no-hold --trace off 2>&1)
expect_eq "...but says nothing under --no-hold" "" "$out"
rm -f "/dev/shm/${n#/}"

done_testing
