#!/bin/bash
# From outside: mmapview watching a sparse object for 10 s changes nothing
# in it — the same st_blocks, the same SEEK_DATA runs, the same resident
# pages — while a student moves the selection over its holes and searches
# it; and the viewer is never a lasting mapper in /proc/*/maps.
. "$(dirname "$0")/../lib.sh"

if ! need_tool tmux; then
    skip "tmux" "tmux is not installed: the watching viewer runs in it (apt-get install tmux)"
    stop_here
fi

MV=$BIN/mmapview
SEEKMAP=$ROOT/build/tests/viewer/seekmap
N=$(t_name)
F=/dev/shm/${N#/}
SOCK=mmaplab-$PREFIX-$$
printf 'set -g status off\n' > "$T_SCRATCH/tmux.conf"
tm() { tmux -L "$SOCK" -f "$T_SCRATCH/tmux.conf" "$@"; }
trap 'tm kill-server 2>/dev/null; t_cleanup' EXIT

"$BIN/01-create" -n "$N" -s 64k >/dev/null
printf 'data on page 3' | dd of="$F" bs=4096 seek=3 conv=notrunc status=none
printf 'data on page 9' | dd of="$F" bs=4096 seek=9 conv=notrunc status=none
before=$("$SEEKMAP" "$F")
resident_before=$(fincore --noheadings --output PAGES "$F" 2>/dev/null)
expect_match "the object is sparse: two runs of data" "^blocks [0-9]+ data [0-9]+-[0-9]+,[0-9]+-[0-9]+$" "$before"

tm new-session -d -s mv -x 120 -y 40 "env NO_COLOR=1 $MV --trace off $N"
vpid=
for _ in $(seq 50); do
    vpid=$(pgrep -P "$(tm display -p -t mv '#{pane_pid}')" -x mmapview 2>/dev/null ||
           { p=$(tm display -p -t mv '#{pane_pid}'); [ "$(cat /proc/$p/comm 2>/dev/null)" = mmapview ] && echo "$p"; })
    [ -n "$vpid" ] && break
    sleep 0.1
done
if [ -z "$vpid" ]; then
    not_ok "the viewer starts in tmux" "$(tm capture-pane -p -t mv 2>&1)"
    stop_here
fi
ok "the viewer starts in tmux (pid $vpid)"

# Ten seconds of watching: each tenth of a second, look for the object in
# the viewer's maps; meanwhile walk the selection over every page (holes
# included) and search the object.
keys=(l l l l l l l l l l l l l l l G g / z z z Enter n n j k)
seen=0 looks=0 k=0
end=$(( $(date +%s) + 10 ))
while [ "$(date +%s)" -lt $end ]; do
    grep -qF "$F" "/proc/$vpid/maps" 2>/dev/null && seen=$((seen + 1))
    looks=$((looks + 1))
    if [ $k -lt ${#keys[@]} ] && [ $((looks % 3)) = 0 ]; then
        tm send-keys -t mv "${keys[$k]}"
        k=$((k + 1))
    fi
    sleep 0.1
done
kill -0 "$vpid" 2>/dev/null && ok "the viewer is still running after 10 s" ||
    not_ok "the viewer is still running after 10 s"
# A mapping made and removed inside one sample lasts microseconds: a
# lasting mapper would be seen in nearly every look.
if [ $seen -le 1 ]; then ok "the viewer never appears as a mapper ($seen of $looks looks)"
else not_ok "the viewer never appears as a mapper" "seen in $seen of $looks looks at /proc/$vpid/maps"; fi
lasting=$(grep -lF "$F" /proc/[0-9]*/maps 2>/dev/null)
expect_eq "no process at all maps the object" "" "$lasting"

after=$("$SEEKMAP" "$F")
expect_eq "st_blocks and the SEEK_DATA runs are unchanged" "$before" "$after"
if need_tool fincore; then
    expect_eq "fincore counts the same resident pages" "$resident_before" \
        "$(fincore --noheadings --output PAGES "$F" 2>/dev/null)"
else
    skip "fincore" "util-linux fincore is missing: resident pages not compared"
fi
screen=$(tm capture-pane -p -t mv)
expect_match "the screen still shows the object" "state +LIVE" "$screen"
expect_match "...with its 2 allocated pages of 16" "memory +2 of 16 pages resident" "$screen"
tm send-keys -t mv q
"$BIN/05-close" -n "$N" >/dev/null
done_testing
