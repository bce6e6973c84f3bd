# Scene 03: copy the message in; read it from outside while 03-copy holds.
. "$(dirname "$0")/lib.sh"

quietly 'bin/01-create'
start first copy 'bin/03-copy'
show od 'od -c /dev/shm$MMAPLAB_NAME | head -n 3'
needs sys_admin snap
snapshot snap
finish first
show toolong 'bin/03-copy -m "$(printf "%0300d" 0)"' 2
quietly 'bin/05-close'
