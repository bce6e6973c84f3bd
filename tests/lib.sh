# lib.sh — what the end-to-end scripts share.  Source it from bash:
#
#     . "$(dirname "$0")/../lib.sh"
#
# It speaks TAP for tests/run.sh, gives every test its own object name
# under this run's prefix, waits on trace events instead of sleeping, and
# removes every object, file and process a script made when it exits, even
# when a check failed.

set -u
ROOT=${MMAPLAB_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
BIN=$ROOT/bin
TOOLS=$ROOT/build/tests/tools
PREFIX=${MMAPLAB_TEST_PREFIX:-mmaplab-t$$}
SUITE=$(basename "$0" .sh)
export NO_COLOR=1
export MMAPLAB_TRACE=off
unset MMAPLAB_NAME

T_SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/mmaplab-test.XXXXXX")
chmod 755 "$T_SCRATCH"
t_n=0
t_pids=()

# ---- TAP ----------------------------------------------------------------

# A suite ends with `done_testing`: its plan, "1..N", says it reached its
# end, and tests/run.sh fails a suite with no plan or one that does not
# match the tests it counted.  A suite whose count is fixed may say
# `plan N` first instead.  One that ends early on purpose (what it needs is
# not here) calls stop_here: its plan, then exit 0.
t_planned=""
plan()         { t_planned=$1; echo "1..$1"; }
done_testing() { [ -n "$t_planned" ] || { t_planned=$t_n; echo "1..$t_n"; }; }
stop_here()    { done_testing; exit 0; }

ok()      { t_n=$((t_n + 1)); echo "ok $t_n - $*"; }
not_ok()  {
    t_n=$((t_n + 1)); echo "not ok $t_n - $1"
    shift
    local l
    for l in "$@"; do printf '%s\n' "$l" | sed 's/^/#   /'; done
}
skip()    { t_n=$((t_n + 1)); echo "ok $t_n # SKIP $1: $2"; }

# check DESC CMD...: ok when CMD succeeds; its output is shown when not.
check() {
    local desc=$1 out; shift
    if out=$("$@" 2>&1); then ok "$desc"; else not_ok "$desc" "command: $*" "$out"; fi
}

# expect_eq DESC WANT GOT
expect_eq() {
    if [ "$2" == "$3" ]; then ok "$1"; else not_ok "$1" "want: $2" "got:  $3"; fi
}

# expect_match DESC PATTERN TEXT: TEXT has a line matching the ERE PATTERN.
expect_match() {
    if printf '%s\n' "$3" | grep -Eq -- "$2"; then ok "$1"
    else not_ok "$1" "no line matches: $2" "in:" "$3"; fi
}

# expect_no_match DESC PATTERN TEXT
expect_no_match() {
    if printf '%s\n' "$3" | grep -Eq -- "$2"; then not_ok "$1" "a line matches: $2" "in:" "$3"
    else ok "$1"; fi
}

# ---- names, files, processes --------------------------------------------

# A fresh object name for this test: /PREFIX-SUITE-N.  The counter lives in
# a file because these are called in $(...), a subshell.
t_next() {
    local n
    n=$(( $(cat "$T_SCRATCH/.counter" 2>/dev/null || echo 0) + 1 ))
    echo "$n" > "$T_SCRATCH/.counter"
    echo "$n"
}
t_name() { echo "/$PREFIX-$SUITE-$(t_next)"; }

# A fresh trace file path.
t_trace() { echo "$T_SCRATCH/trace-$(t_next).jsonl"; }

shm_exists() { [ -e "/dev/shm/${1#/}" ]; }

# Remember a background process to reap at exit.
t_bg() { t_pids+=("$1"); }

t_cleanup() {
    local rc=$? p
    [ -n "$t_planned" ] ||
        echo "# $SUITE stopped after test $t_n, before its end (exit $rc)"
    for p in "${t_pids[@]}"; do kill -9 "$p" 2>/dev/null; done
    for p in "${t_pids[@]}"; do wait "$p" 2>/dev/null; done
    rm -f /dev/shm/"$PREFIX-$SUITE-"* 2>/dev/null
    rm -rf "$T_SCRATCH"
}
trap t_cleanup EXIT
trap 'exit 130' INT TERM

# ---- waiting ------------------------------------------------------------

# wait_event TRACE PROG EVENT [COUNT] [TIMEOUT]: wait until TRACE holds
# COUNT (default 1) events EVENT from PROG.  Fails after TIMEOUT seconds
# (default 20).
wait_event() {
    "$TOOLS/tracecheck" wait "$1" --prog "$2" --event "$3" \
        --count "${4:-1}" --timeout "${5:-20}"
}

# wait_exit PID [TIMEOUT]: wait for a background process of this shell,
# with a timeout (default 20 s); sets T_STATUS to its exit status, or to
# "timeout" after killing it.  Not in $(...): only this shell can wait.
wait_exit() {
    local pid=$1 limit=$(( ${2:-20} * 10 )) i=0
    while kill -0 "$pid" 2>/dev/null; do
        [ "$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)" = Z ] && break
        i=$((i + 1))
        if [ $i -gt $limit ]; then
            kill -9 "$pid" 2>/dev/null
            wait "$pid" 2>/dev/null
            T_STATUS=timeout
            return 1
        fi
        sleep 0.05
    done
    wait "$pid"
    T_STATUS=$?
}

# ---- programs that hold -------------------------------------------------

# start_held KEY CMD...: run CMD in the background with its standard input
# on a fifo this script keeps open, so that its hold point waits until
# `release KEY`.  Its output goes to $T_SCRATCH/KEY.out and KEY.err.
declare -A H_PID H_FD
start_held() {
    local key=$1 fifo=$T_SCRATCH/hold-$1 fd; shift
    rm -f "$fifo"
    mkfifo "$fifo"
    exec {fd}<>"$fifo"
    "$@" <"$fifo" >"$T_SCRATCH/$key.out" 2>"$T_SCRATCH/$key.err" &
    H_PID[$key]=$!
    H_FD[$key]=$fd
    t_bg $!
}

# release KEY: one line to its standard input (press Enter).
release() { echo >&"${H_FD[$1]}"; }

# finish KEY [TIMEOUT]: release it and wait for it; T_STATUS is its status.
finish() {
    release "$1"
    local fd=${H_FD[$1]}
    wait_exit "${H_PID[$1]}" "${2:-20}"
    exec {fd}>&-
}

# want_pids DESC [-n COUNT] PID...: a check that no process is left, or
# that a process holds nothing, passes by itself when it is given no pid
# (ls /proc//fd fails, and nothing is found there).  True when PID... are
# pids, COUNT of them (default: at least one); otherwise DESC is not ok,
# saying why, and false.  Pass lists unquoted, a single pid quoted.
want_pids() {
    local desc=$1 count= p; shift
    if [ "${1:-}" = -n ]; then count=$2; shift 2; fi
    for p in "$@"; do
        [[ $p =~ ^[1-9][0-9]*$ ]] || { not_ok "$desc" "not a pid: '$p'"; return 1; }
    done
    if [ $# -eq 0 ]; then
        not_ok "$desc" "no pid to check: the process was not found"
        return 1
    fi
    if [ -n "$count" ] && [ $# -ne "$count" ]; then
        not_ok "$desc" "$# pids found, $count wanted: $*"
        return 1
    fi
}

# Output of a held program so far.
out_of() { cat "$T_SCRATCH/$1.out"; }
err_of() { cat "$T_SCRATCH/$1.err"; }
pid_of() { echo "${H_PID[$1]}"; }

# ---- a process's pages, seen from outside -------------------------------

PS=$(getconf PAGESIZE)
# pm PID ADDR: the /proc/PID/pagemap entry of the page at ADDR (0x...).
pm() {
    local e
    e=$(dd if="/proc/$1/pagemap" bs=8 skip=$(( $2 / PS )) count=1 2>/dev/null | od -An -tx8 | tr -d ' ')
    echo $(( 16#${e:-0} ))
}
# What an entry says: its frame (0: hidden), and the bits that stay visible.
pfn()  { echo $(( $1 & ((1 << 55) - 1) )); }
bits() { echo "present=$(( ($1 >> 63) & 1 )) file=$(( ($1 >> 61) & 1 )) exclusive=$(( ($1 >> 56) & 1 ))"; }
# smaps_field PID ADDR FIELD: FIELD (kB) of the mapping that starts at ADDR.
smaps_field() {
    awk -v a="${2#0x}" -v f="$3:" '$1 ~ "^"a"-" {in_=1; next} /^[0-9a-f]+-/ {in_=0} in_ && $1 == f {print $2}' "/proc/$1/smaps"
}

# ---- privileges ---------------------------------------------------------

is_root() { [ "$(id -u)" = 0 ]; }
# Is / a mount point, as this process sees it?  Not in a chroot.
root_is_mount_point() { awk '$5 == "/" { found = 1 } END { exit !found }' /proc/self/mountinfo; }

# in_own_mounts CMD...: run CMD in a mount namespace of its own, where a
# tmpfs mounted over /dev/shm shows nowhere else.  unshare -m alone makes
# every mount private starting at /, which fails where / is not a mount
# point (a chroot); making /dev/shm's own mount private is enough.
in_own_mounts() {
    unshare -m --propagation unchanged sh -c \
        'mount --make-rprivate /dev/shm || exit 97; exec "$@"' sh "$@"
}
can_own_mounts() { is_root && in_own_mounts true 2>/dev/null; }

# strace with LeakSanitizer off, for a test that needs the traced program's
# exit status: LeakSanitizer cannot work under ptrace, and under SANITIZE=1
# it would end the program with status 1.  A command prefix: $T_STRACE -f ...
T_STRACE="env ASAN_OPTIONS=${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0 strace"

# without_shm_mount PROG NAME ARGS...: run PROG -n NAME ARGS (stdin empty)
# in a mount namespace of its own where /dev/shm is not a mount point, only
# a directory of /.  Prints PROG's output, then "left: " and what of NAME
# it left in that directory (which is then removed: this run made it).
# The status is PROG's; 99 when /dev/shm could not be unmounted.
without_shm_mount() {
    unshare -m --propagation unchanged sh -c '
        while grep -q " /dev/shm " /proc/self/mountinfo; do   # mounts may be stacked
            mount --make-private /dev/shm && umount /dev/shm || exit 99
        done
        prog=$1 name=$2; shift 2
        "$prog" -n "$name" "$@" </dev/null 2>&1; rc=$?
        left=$(ls -A /dev/shm | grep -F "${name#/}"); rm -f "/dev/shm/${name#/}"
        echo "left: $left"; exit $rc' sh "$@"
}
# Frame numbers need CAP_SYS_ADMIN (bit 21 of the effective set).
have_caps() { (( 16#$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status) >> 21 & 1 )); }

# A copy of bin/ that another user can run: tests that switch to nobody.
t_public_bin() {
    local d=$T_SCRATCH/pubbin
    if [ ! -d "$d" ]; then
        mkdir -p "$d" && cp -p "$BIN"/[0-9][0-9]-* "$BIN"/mmapview "$d"/ 2>/dev/null
        chmod 755 "$d" "$d"/*
    fi
    echo "$d"
}

# as_user USER CMD...: run CMD as USER (root only).
as_user() {
    local u=$1; shift
    if command -v setpriv >/dev/null; then
        setpriv --reuid="$(id -u "$u")" --regid="$(id -g "$u")" --clear-groups \
            --inh-caps=-all env HOME=/ XDG_RUNTIME_DIR= "$@"
    else
        su -s /bin/sh "$u" -c "$(printf '%q ' "$@")"
    fi
}

# Skip loudly when an optional tool is missing.
need_tool() {
    command -v "$1" >/dev/null 2>&1 || [ -x "$1" ]
}
