# Scene 09: a 1 GiB view over a growing object; SIGBUS past the end and on
# cut-off pages; ENOSPC up front; SIGBUS on a full private tmpfs (root).
. "$(dirname "$0")/lib.sh"

relative_addresses run
# The full-tmpfs part needs CAP_SYS_ADMIN; without it the program says so.
needs sys_admin run
start p run 'bin/09-reserve-grow' 09-reserve-grow
show smaps 'grep -A3 "$MMAPLAB_NAME" /proc/$(pgrep -nu "$(id -un)" 09-reserve-grow)/smaps'
needs sys_admin snap
snapshot snap
finish p

needs wine w32-first
needs wine w32-open
if have wine; then
    wine_ready
    start w1 w32-first 'wine bin/win32/reserve.exe' reserve
    show w32-open 'wine bin/win32/reserve.exe --open --no-hold'
    finish w1
fi
