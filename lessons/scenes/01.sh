# Scene 01: create the object, look at it, try to create it again.
. "$(dirname "$0")/lib.sh"

show create 'bin/01-create'
show ls 'ls -l /dev/shm$MMAPLAB_NAME'
snapshot snap
show again 'bin/01-create' 1
show noslash 'bin/01-create -n MyFileMappingObject' 2
quietly 'bin/05-close'
