# Scene 04: the second process reads the message while the first holds.
. "$(dirname "$0")/lib.sh"

quietly 'bin/01-create'
start first first 'bin/03-copy'
start second second 'bin/04-open'
show maps 'grep "$MMAPLAB_NAME" /proc/$(pgrep -nu "$(id -un)" 03-copy)/maps /proc/$(pgrep -nu "$(id -un)" 04-open)/maps'
needs sys_admin snap
snapshot snap
finish second
finish first
show again 'bin/04-open --no-hold'
quietly 'bin/05-close'

# The Win32 pair under Wine: the second process reads while the first holds.
needs wine w32-second
if have wine; then
    wine_ready
    start w1 w32-first 'wine bin/win32/first-process.exe' first-process
    show w32-second 'wine bin/win32/second-process.exe --no-hold'
    finish w1
fi
