# Scene 11: workers under a robust mutex; a lock holder killed and the
# record repaired; no repair; a mutex that is not robust.
. "$(dirname "$0")/lib.sh"

start p run 'bin/11-robust-mutex' 11-robust-mutex
show od 'od -An -td8 -N 64 /dev/shm$MMAPLAB_NAME'
needs sys_admin snap
snapshot snap
finish p

needs wine w32
if have wine; then
    wine_ready
    # Until the holder is killed, the holder and the parent print at once:
    # the part from the kill on.
    show w32 'wine bin/win32/mutex.exe < /dev/null | sed -n "/^\[kill\]/,\$p" | grep -v "SetEvent(hReady)"'
fi
