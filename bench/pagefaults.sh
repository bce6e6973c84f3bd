#!/bin/bash
# make bench — 13-page-faults' ratios (issue 15), measured in one run:
#
#   a second process touching pages the first allocated, against the
#   first touch: at least 1.5x as fast (it maps, and allocates nothing);
#   MAP_POPULATE, the call and the stores after it, against the first
#   touch: at least 1.5x as fast (no trap a page);
#   a read through a new view: at least 8 pages a fault (fault-around);
#   huge pages on a private tmpfs (root): at least 256 pages a fault.
#
# Medians of BENCH_RUNS runs (default 5) of bin/13-page-faults -b
# BENCH_PF_SIZE (default 256M).  It reports and exits 0; a missed target is MISSED.
set -u
cd "$(dirname "$0")/.." || exit 2
RUNS=${BENCH_RUNS:-5}
SIZE=${BENCH_PF_SIZE:-256M}
NAME=/mmaplab-bench-pf-$$
OUT=$(mktemp /tmp/mmaplab-bench-pf.XXXXXX)
export MMAPLAB_TRACE=off NO_COLOR=1
cleanup() { rm -f "$OUT" "/dev/shm/${NAME#/}"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
verdict() { awk -v a="$1" -v b="$2" 'BEGIN { print (a + 0 >= b + 0) ? "met" : "MISSED" }'; }

echo "13-page-faults bench: $RUNS runs of -b $SIZE ..."
for _ in $(seq "$RUNS"); do
    if ! bin/13-page-faults -q --no-hold -n "$NAME" -b "$SIZE" </dev/null >> "$OUT" 2>&1; then
        echo "bench: 13-page-faults failed:" >&2; tail -n 5 "$OUT" >&2; exit 1
    fi
done
# Column C of a row of the table, per run: after the 2 + 36 characters of
# its name come pages (1), faults (2), pages a fault (3), milliseconds (4).
col() { awk -v r="$1" -v c="$2" 'index($0, r) == 3 { split(substr($0, 39), f, " "); print f[c] }' "$OUT"; }
first=$(col "first touch (write), fresh object " 4 | median)
second=$(col "second process (write), allocated " 4 | median)
readpf=$(col "read through a new view " 3 | median)
# MAP_POPULATE: the call's row, then the stores' row just under it.
pop=$(awk 'index($0, "MAP_POPULATE, inside mmap ") == 3 { split(substr($0, 39), a, " "); getline
            split(substr($0, 39), b, " "); print a[4] + b[4] }' "$OUT" | median)
huge=$(col "huge pages, tmpfs huge=always " 3 | median)
skipped=$(grep -m1 -o "huge pages, tmpfs huge=always *skipped: .*" "$OUT" | sed 's/.*skipped: //')
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; }
r2=$(ratio "$first" "$second"); rp=$(ratio "$first" "$pop")

cat <<EOF2

13-page-faults bench: -b $SIZE, $(nproc) cores, medians of $RUNS runs
  first touch (write), fresh object $(printf '%9.1f ms' "$first")
  second process, allocated pages   $(printf '%9.1f ms' "$second")   $(printf '%6sx' "$r2") as fast; target >= 1.5x  $(verdict "$r2" 1.5)
  MAP_POPULATE, call + stores       $(printf '%9.1f ms' "$pop")   $(printf '%6sx' "$rp") as fast; target >= 1.5x  $(verdict "$rp" 1.5)
  read through a new view           $(printf '%9.1f' "$readpf") pages a fault (fault-around); target >= 8  $(verdict "$readpf" 8)
EOF2
if [ -n "$huge" ]; then
    echo "  huge pages, tmpfs huge=always     $(printf '%9.1f' "$huge") pages a fault; target >= 256  $(verdict "$huge" 256)"
else
    echo "  huge pages, tmpfs huge=always     skipped: ${skipped:-not in the output}"
fi
