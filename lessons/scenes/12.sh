# Scene 12: the same stream through each channel, measured; the ring's
# object while it holds; the ping-pong on one CPU; the Win32 twin.
# The measured numbers differ from run to run (tests/lessons/drift.sh
# compares the rest).
. "$(dirname "$0")/lib.sh"

start p run 'bin/12-channels' 12-channels
needs sys_admin snap
snapshot snap
finish p
show one 'bin/12-channels -q --only ping-pong --one-cpu --trips 2000'

needs wine w32
if have wine; then
    wine_ready
    # The consumer starts while the parent sends: its lines come in between.
    show w32 'wine bin/win32/ring.exe -s 64M < /dev/null | sed -n "/^\[send\]/,\$p" | grep -v "^ring: \|^  object \|^$"'
fi
