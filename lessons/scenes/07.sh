# Scene 07: two processes map one file; the frame behind both; offsets.
. "$(dirname "$0")/lib.sh"


needs disk run
needs sys_admin run
start first run 'bin/07-file-pages' 07-file-pages
needs sys_admin snap
needs disk snap
snapshot snap '--file mmaplab-pages.dat'
finish first

# What a process without CAP_SYS_ADMIN sees (root can drop it: setpriv).
needs root hidden
if have root; then
    show hidden 'setpriv --bounding-set=-sys_admin bin/07-file-pages --no-hold | grep -A1 "^\[frames\]"'
fi

needs wine w32
if have wine; then
    wine_ready
    show w32 'wine bin/win32/file-view.exe'
    quietly 'rm file-view.dat'
fi
