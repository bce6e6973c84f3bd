# Scene 04: the second process reads the message while the first holds.
. "$(dirname "$0")/lib.sh"

quietly 'bin/01-create'
start first first 'bin/03-copy'
start second second 'bin/04-open'
show maps 'grep "$MMAPLAB_NAME" /proc/$(pgrep -nu "$(id -un)" 03-copy)/maps /proc/$(pgrep -nu "$(id -un)" 04-open)/maps'
finish second
finish first
show again 'bin/04-open --no-hold'
quietly 'bin/05-close'
