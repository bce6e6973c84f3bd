# Scene 05: remove the name; then remove it while a process still maps it.
. "$(dirname "$0")/lib.sh"

quietly 'bin/01-create'
quietly 'bin/03-copy --no-hold'
show close 'bin/05-close'
show ls 'ls -l /dev/shm$MMAPLAB_NAME' 2
show twice 'bin/05-close' 1

quietly 'bin/01-create'
start first first 'bin/03-copy'
show early 'bin/05-close -q'
show deleted 'grep "$MMAPLAB_NAME" /proc/$(pgrep -nu "$(id -un)" 03-copy)/maps'
finish first
