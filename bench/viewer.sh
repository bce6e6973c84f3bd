#!/bin/bash
# make bench — mmapview's speed targets (issue 3), measured in one run:
#
#   a 1 GiB shared memory object, every other page resident, and about 300
#   more processes of which 100 map it; then, as medians of several runs:
#     mmapview --once vs fincore (util-linux), both as whole processes:
#         --once at most 1.5x fincore's time (while telling far more)
#     the fast and slow sampling tiers, timed inside the viewer
#         (mmapview --json --samples): slow tier at most 30 ms
#     the viewer's CPU while idle on the object at the default interval,
#         from /proc/PID/stat over 10 s: under 3% of one core
#
# It reports and exits 0; a missed target is printed as MISSED.  Timings
# are for this machine at this moment: run it on a quiet one.
#   BENCH_RUNS (default 9) runs per median, BENCH_SIZE (default 1G).
set -u
cd "$(dirname "$0")/.." || exit 2
ROOT=$PWD
MV=$ROOT/bin/mmapview
HOLDER=$ROOT/build/bench/holder
RUNS=${BENCH_RUNS:-9}
SIZE=${BENCH_SIZE:-1G}
NAME=/mmaplab-bench-$$
F=/dev/shm/${NAME#/}
SOCK=mmaplab-bench-$$
export MMAPLAB_TRACE=off NO_COLOR=1

for tool in fincore tmux; do
    if ! command -v $tool >/dev/null; then
        echo "bench: $tool is needed (apt-get install $([ $tool = fincore ] && echo util-linux || echo $tool))" >&2
        exit 1
    fi
done

crowd=
cleanup() {
    if [ -n "$crowd" ]; then
        kill -- -"$crowd" 2>/dev/null
        wait "$crowd" 2>/dev/null
        # The children are in its group: wait until the group is empty.
        for _ in $(seq 100); do
            kill -0 -- -"$crowd" 2>/dev/null || break
            sleep 0.05
        done
    fi
    tmux -L "$SOCK" kill-server 2>/dev/null
    rm -f "$F"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# median of the numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
verdict() { awk -v a="$1" -v b="$2" 'BEGIN { print (a <= b) ? "met" : "MISSED" }'; }

echo "mmapview bench: setting up a $SIZE object and the crowd ..."
"$ROOT/bin/01-create" -q -n "$NAME" -s "$SIZE" >/dev/null || exit 1
"$HOLDER" fill "$NAME" || exit 1
# The crowd in its own process group, so that one kill ends it.
set -m
"$HOLDER" crowd "$NAME" 100 200 > "/tmp/mmaplab-bench-$$.ready" &
crowd=$!
set +m
for _ in $(seq 200); do
    grep -q ready "/tmp/mmaplab-bench-$$.ready" 2>/dev/null && break
    sleep 0.05
done
rm -f "/tmp/mmaplab-bench-$$.ready"
nprocs=$(ls -d /proc/[0-9]* | wc -l)
pages=$(( $(stat -c %s "$F") / $(getconf PAGESIZE) ))
resident=$(fincore --noheadings --bytes --output PAGES "$F")

# ---- --once against fincore, whole processes, interleaved ---------------
"$MV" --once "$NAME" >/dev/null; fincore "$F" >/dev/null     # warm caches
: > /tmp/mmaplab-bench-$$.once; : > /tmp/mmaplab-bench-$$.fincore
for _ in $(seq "$RUNS"); do
    # $EPOCHREALTIME (microseconds) costs no process, unlike date(1).
    t0=${EPOCHREALTIME/./}; "$MV" --once "$NAME" >/dev/null; t1=${EPOCHREALTIME/./}
    echo "$((t1 - t0))" >> /tmp/mmaplab-bench-$$.once
    t0=${EPOCHREALTIME/./}; fincore "$F" >/dev/null; t1=${EPOCHREALTIME/./}
    echo "$((t1 - t0))" >> /tmp/mmaplab-bench-$$.fincore
done
once_us=$(median < /tmp/mmaplab-bench-$$.once)
fincore_us=$(median < /tmp/mmaplab-bench-$$.fincore)
rm -f /tmp/mmaplab-bench-$$.once /tmp/mmaplab-bench-$$.fincore
ratio=$(awk -v a="$once_us" -v b="$fincore_us" 'BEGIN { printf "%.2f", a / b }')

# ---- the tiers, inside the viewer ------------------------------------------
j=$("$MV" --json --samples "$RUNS" --interval 500 "$NAME")
fast_ms=$(printf '%s' "$j" | grep -o '"fast_ms":[0-9.]*' | cut -d: -f2)
slow_ms=$(printf '%s' "$j" | grep -o '"slow_ms":[0-9.]*' | cut -d: -f2)
mappers=$(printf '%s' "$j" | grep -o '"mappers":[0-9]*' | cut -d: -f2)

# ---- idle: the live view on the object, 10 s at the default interval ------
tmux -L "$SOCK" -f /dev/null new-session -d -x 120 -y 40 "$MV $NAME"
vpid=
for _ in $(seq 100); do
    p=$(tmux -L "$SOCK" display -p '#{pane_pid}' 2>/dev/null)
    vpid=$(pgrep -P "$p" -x mmapview 2>/dev/null)
    [ -z "$vpid" ] && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = mmapview ] && vpid=$p
    [ -n "$vpid" ] && break
    sleep 0.05
done
sleep 3                                  # past the first, full sample
ticks() { awk '{ print $14 + $15 }' "/proc/$vpid/stat"; }
c0=$(ticks); t0=${EPOCHREALTIME/./}
sleep 10
c1=$(ticks); t1=${EPOCHREALTIME/./}
hz=$(getconf CLK_TCK)
idle=$(awk -v c="$((c1 - c0))" -v hz="$hz" -v us="$((t1 - t0))" \
       'BEGIN { printf "%.2f", 100 * c / hz / (us / 1e6) }')
hwm=$(awk '/^VmHWM/ { print $2, $3 }' "/proc/$vpid/status")

cat <<EOF

mmapview bench: $SIZE object, $resident of $pages pages resident, $nprocs processes ($mappers map it), $(nproc) cores
  mmapview --once, whole process   $(awk -v u="$once_us" 'BEGIN { printf "%8.1f ms", u / 1000 }')   median of $RUNS
  fincore, whole process           $(awk -v u="$fincore_us" 'BEGIN { printf "%8.1f ms", u / 1000 }')   median of $RUNS
  ratio                            $(printf '%8sx' "$ratio")      target <= 1.5x   $(verdict "$ratio" 1.5)
  fast tier, inside the viewer     $(printf '%8.1f ms' "$fast_ms")   median of $((RUNS - 1)) steady samples
  slow tier, inside the viewer     $(printf '%8.1f ms' "$slow_ms")   target <= 30 ms  $(verdict "$slow_ms" 30)
  idle CPU, live view, 500 ms      $(printf '%7s%%' "$idle")    of one core over 10 s; target < 3%  $(verdict "$idle" 2.999)
  the live view's peak memory      $hwm (VmHWM)
EOF
