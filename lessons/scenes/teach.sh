# Scene teach (TEACHING.md): what a second student sees on a name that is
# taken.  Another user is played by nobody, which needs root.
. "$(dirname "$0")/lib.sh"

needs root eacces
if have root; then
    quietly 'bin/01-create'
    show eacces 'MMAPLAB_TRACE=off setpriv --reuid=nobody --regid=nogroup --clear-groups bin/02-map' 1
    quietly 'bin/05-close'
fi
