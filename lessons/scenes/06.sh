# Scene 06: fork, exec with and without FD_CLOEXEC, anonymous shared memory;
# looked at from outside while the exec'd child and then the parent hold.
. "$(dirname "$0")/lib.sh"

start p run 'bin/06-inherit' 06-inherit
# The first hold is the exec'd child's: the descriptor it inherited.
show child 'ls -l /proc/$(pgrep -nu "$(id -un)" -f "06-inherit --child")/fd/4'
show child 'grep flags /proc/$(pgrep -nu "$(id -un)" -f "06-inherit --child")/fdinfo/4'
needs sys_admin snap
snapshot snap
enter p
# The second is the parent's, at the end.
show parent 'grep -e "$MMAPLAB_NAME" -e /dev/zero /proc/$(pgrep -nu "$(id -un)" 06-inherit)/maps'
show parent 'grep flags /proc/$(pgrep -nu "$(id -un)" 06-inherit)/fdinfo/4'
finish p

needs wine w32
needs wine w32-no
if have wine; then
    wine_ready
    show w32 'wine bin/win32/inherit.exe'
    show w32-no 'wine bin/win32/inherit.exe --no-cp-inherit'
fi
