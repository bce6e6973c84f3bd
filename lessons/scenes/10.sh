# Scene 10: a 5 GiB sparse NPY file written through one view; read back by
# this program and by numpy; numpy's files read by this program.
. "$(dirname "$0")/lib.sh"

# On a disk file system, readahead around each touched page brings in more
# pages, as many as the device's read_ahead_kb says: a tmpfs shows exactly
# the pages touched, the same on every machine.
work_on_tmpfs

start p run 'bin/10-mapped-array' 10-mapped-array
show look 'ls -ls mmaplab-array.npy'
show look 'grep -A4 mmaplab-array.npy /proc/$(pgrep -nu "$(id -un)" 10-mapped-array)/smaps'
needs sys_admin snap
snapshot snap '--file mmaplab-array.npy'
finish p
show read 'bin/10-mapped-array --read mmaplab-array.npy'

needs numpy numpy
needs numpy from-numpy
needs numpy refused
if have numpy; then
    show numpy '/usr/bin/python3 -c '\''import numpy as np; a = np.load("mmaplab-array.npy", mmap_mode="r"); print(a.dtype, a.shape, a[0], a[575218833], a[-1])'\'''
    show from-numpy '/usr/bin/python3 -c '\''import numpy as np; np.save("from-numpy.npy", np.arange(6, dtype=">i4").reshape(2, 3))'\'''
    show from-numpy 'bin/10-mapped-array --read from-numpy.npy'
    show refused '/usr/bin/python3 -c '\''import numpy as np; np.save("complex.npy", np.zeros(3, dtype=complex))'\'''
    show refused 'bin/10-mapped-array --read complex.npy' 1
    quietly 'rm from-numpy.npy complex.npy'
fi
quietly 'rm mmaplab-array.npy'
