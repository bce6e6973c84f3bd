# Scene 08: a MAP_PRIVATE view before and after its first write.
. "$(dirname "$0")/lib.sh"


needs sys_admin run
start p run 'bin/08-private-cow' 08-private-cow
needs sys_admin before
needs disk before
snapshot before '--file mmaplab-cow.dat'
enter p
needs sys_admin after
needs disk after
snapshot after '--file mmaplab-cow.dat'
show after 'grep -A20 mmaplab-cow.dat /proc/$(pgrep -ou "$(id -un)" 08-private-cow)/smaps | grep -m3 -e ^Rss -e ^Private_Dirty -e ^Anonymous'
finish p

needs wine w32
if have wine; then
    wine_ready
    show w32 'wine bin/win32/file-view.exe | grep -A6 "^\[cow\]"'
    quietly 'rm file-view.dat'
fi
