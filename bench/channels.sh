#!/bin/bash
# make bench — 12-channels' targets (issue 15), as ratios within one run:
#
#   ring throughput vs in-process memcpy of 1 MiB messages     >= 0.5x
#   ring vs pipe                                               >= 5x
#   ring vs socketpair                                         >= 3x
#   ping-pong round trip, spin then futex, vs pipe             >= 10x faster
#   the same with both processes pinned to one CPU             no worse than
#                                                              2x the pipe
#
# Each ratio is the median over BENCH_RUNS (default 3) runs of the program,
# each ratio taken inside one run, so that a machine busy at one moment
# slows both sides of it alike.  It reports and exits 0; a missed target is
# printed as MISSED.  Run it on a quiet machine: the ring and the spin need
# the second CPU to themselves.
#   BENCH_RUNS, BENCH_TOTAL (default 2G per channel), BENCH_TRIPS (20000).
set -u
cd "$(dirname "$0")/.." || exit 2
P=$PWD/bin/12-channels
RUNS=${BENCH_RUNS:-3}
TOTAL=${BENCH_TOTAL:-2G}
TRIPS=${BENCH_TRIPS:-20000}
export MMAPLAB_TRACE=off NO_COLOR=1
OUT=$(mktemp -d "${TMPDIR:-/tmp}/mmaplab-bench-ch.XXXXXX") || exit 1
trap 'rm -rf "$OUT"' EXIT
trap 'exit 130' INT TERM

[ -x "$P" ] || { echo "bench: $P is not built: run make first" >&2; exit 1; }

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
at_least() { awk -v a="$1" -v b="$2" 'BEGIN { print (a != "nan" && a + 0 >= b + 0) ? "met" : "MISSED" }'; }
# rate FILE ROW: the row's GiB/s or trips/s, the fifth field from its end
# (rate, time, unit, syscalls, ratio).
rate() {
    awk -v r="$2" 'index($0, "    " r) == 1 && $NF ~ /x$/ { print $(NF - 4); exit }' "$1"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "nan"; else printf "%.2f\n", a / b }'; }

echo "channels bench: $RUNS runs of 12-channels, $TOTAL per channel in 1 MiB messages, $TRIPS round trips ..."
: > "$OUT/mem"; : > "$OUT/pipe"; : > "$OUT/sock"; : > "$OUT/pp"; : > "$OUT/pp1"
for i in $(seq "$RUNS"); do
    f=$OUT/bulk-$i
    if ! "$P" -q -n "/mmaplab-bench-ch-$$" --no-hold --no-big-ring --chunk 1M --ring 4M \
            --total "$TOTAL" --trips "$TRIPS" > "$f" 2>&1; then
        echo "bench: 12-channels failed:" >&2; cat "$f" >&2; exit 1
    fi
    ring=$(rate "$f" "shared ring (4 MiB)")
    ratio "$ring" "$(rate "$f" "memcpy in-process (1 MiB)")" >> "$OUT/mem"
    ratio "$ring" "$(rate "$f" "pipe (64 KiB)")" >> "$OUT/pipe"
    ratio "$ring" "$(rate "$f" "socketpair(AF_UNIX)")" >> "$OUT/sock"
    ratio "$(rate "$f" "spin, then futex")" "$(rate "$f" "pipe, 1 byte")" >> "$OUT/pp"
    f=$OUT/one-$i
    if ! "$P" -q -n "/mmaplab-bench-ch-$$" --no-hold --only ping-pong --one-cpu \
            --trips "$TRIPS" > "$f" 2>&1; then
        echo "bench: 12-channels --one-cpu failed:" >&2; cat "$f" >&2; exit 1
    fi
    ratio "$(rate "$f" "spin, then futex")" "$(rate "$f" "pipe, 1 byte")" >> "$OUT/pp1"
done
last=$OUT/bulk-$RUNS
mem=$(median < "$OUT/mem"); pipe=$(median < "$OUT/pipe"); sock=$(median < "$OUT/sock")
pp=$(median < "$OUT/pp"); pp1=$(median < "$OUT/pp1")

cat <<EOF

channels bench: $(nproc) cores; the last run's table:
$(sed -n '/^  moving the stream/,$p' "$last")
  one CPU (--one-cpu), the last run:
$(sed -n '/^  ping-pong/,$p' "$OUT/one-$RUNS")

  ratio (median of $RUNS, each within one run)       target
  ring vs in-process memcpy, 1 MiB messages   $(printf '%6sx' "$mem")   >= 0.5x    $(at_least "$mem" 0.5)
  ring vs pipe                                $(printf '%6sx' "$pipe")   >= 5x      $(at_least "$pipe" 5)
  ring vs socketpair                          $(printf '%6sx' "$sock")   >= 3x      $(at_least "$sock" 3)
  ping-pong spin then futex vs pipe (faster)  $(printf '%6sx' "$pp")   >= 10x     $(at_least "$pp" 10)
  the same on one CPU (pipe time / its time)  $(printf '%6sx' "$pp1")   >= 0.5x    $(at_least "$pp1" 0.5)
EOF
