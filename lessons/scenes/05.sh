# Scene 05: remove the name; then remove it while a process still maps it;
# then the Win32 lifetime under Wine.
. "$(dirname "$0")/lib.sh"

quietly 'bin/01-create'
quietly 'bin/03-copy --no-hold'
show close 'bin/05-close'
show ls 'ls -l /dev/shm$MMAPLAB_NAME' 2
show twice 'bin/05-close' 1

# Unlinked while 03-copy still maps it.
quietly 'bin/01-create'
start first first 'bin/03-copy'
show early 'bin/05-close -q'
show early 'grep "$MMAPLAB_NAME" /proc/$(pgrep -nu "$(id -un)" 03-copy)/maps'
show gone 'bin/mmapview --once' 1
finish first

# Windows: the name goes with the last handle.
needs wine w32
if have wine; then
    wine_ready
    show w32 'wine bin/win32/first-process.exe --no-hold'
    show w32 'wine bin/win32/second-process.exe' 1
fi
