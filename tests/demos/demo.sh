#!/bin/bash
# make demo's walkthrough: off a terminal it runs to the end as narrated
# text, the message crosses from the first process to the second, and
# /dev/shm is left as it was, also when interrupted.
. "$(dirname "$0")/../lib.sh"

demo_objects() { ls /dev/shm | grep "^mmaplab-demo-" | sort; }
before=$(demo_objects)
out=$(sh "$ROOT/tools/demo.sh" </dev/null 2>&1); rc=$?
expect_eq "the demo runs to the end off a terminal (exit 0)" 0 "$rc"
expect_match "the second process prints the first process's message" \
    "^\[second\] Message from first process\.\$" "$out"
expect_match "both processes are shown mapping the page at once" \
    "^  pid [0-9]+ \(04-open\): [0-9a-f]+-[0-9a-f]+ rw-s" "$out"
expect_match "05-close removes the name" "shm_unlink\(\"/mmaplab-demo-[^\"]*\"\) = 0" "$out"
expect_no_match "no escape sequences off a terminal" $'\x1b' "$out"
expect_eq "/dev/shm is as it was" "$before" "$(demo_objects)"

# Interrupted while the first process holds: a wrapper slows 04-open down so
# the interrupt lands mid-walkthrough, in a real terminal (Ctrl-C reaches the
# whole foreground group, as when a student presses it).
if ! command -v tmux >/dev/null; then
    skip "demo interrupted by Ctrl-C" "tmux is not installed"
    exit 0
fi
W=$T_SCRATCH/slowbin
mkdir -p "$W"
cp "$BIN"/0[1-5]-* "$W"/
mv "$W/04-open" "$W/04-open.real"
printf '#!/bin/sh\nsleep 30\nexec "%s/04-open.real" "$@"\n' "$W" > "$W/04-open"
chmod +x "$W/04-open"
S=mmaplab-demo-test-$$
export TMUX_TMPDIR=$T_SCRATCH
tmux new-session -d -s "$S" -x 120 -y 30 \
    "MMAPLAB_BIN='$W' sh '$ROOT/tools/demo.sh'; echo DEMO-EXIT=\$?; sleep 60"
for i in $(seq 100); do
    tmux capture-pane -p -t "$S" | grep -q '^==== 4\. 04-open' && break
    sleep 0.1
done
tmux send-keys -t "$S" C-c
for i in $(seq 100); do
    tmux capture-pane -p -t "$S" | grep -q 'DEMO-EXIT=' && break
    sleep 0.1
done
screen=$(tmux capture-pane -p -t "$S")
tmux kill-session -t "$S" 2>/dev/null
pkill -f "$W/" 2>/dev/null
expect_match "Ctrl-C: the demo says it is cleaning up" "^demo: interrupted; removing /mmaplab-demo-" "$screen"
expect_match "Ctrl-C: the demo exits 130" "^DEMO-EXIT=130" "$screen"
expect_eq "Ctrl-C: /dev/shm is as it was" "$before" "$(demo_objects)"
