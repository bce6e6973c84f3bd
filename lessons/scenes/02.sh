# Scene 02: map the object and look at the mapping while 02-map holds.
. "$(dirname "$0")/lib.sh"

show before 'bin/02-map' 1
quietly 'bin/01-create'
start map map 'bin/02-map'
show maps 'grep "$MMAPLAB_NAME" /proc/$(pgrep -nu "$(id -un)" 02-map)/maps'
snapshot snap
finish map
quietly 'bin/05-close'
