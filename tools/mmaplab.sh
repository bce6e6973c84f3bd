#!/bin/sh
# mmaplab — the front door to the numbered programs.
#
#   mmaplab list                  the programs, in walkthrough order
#   mmaplab run PROG [ARGS...]    run one: 03-copy, 03 or copy
#   mmaplab clean [OPTIONS]       list and remove leftover objects
#   mmaplab view [ARGS...]        the viewer (mmapview)
#   mmaplab tour [ARGS...]        the guided tour of the walkthrough

set -u
VERSION=@VERSION@
LIBEXEC=@LIBEXECDIR@
me=$(basename "$0")
# In the build tree the programs sit beside this script.
[ -n "$LIBEXEC" ] || LIBEXEC=$(cd "$(dirname "$0")" && pwd)
SHM=${MMAPLAB_SHM_DIR:-/dev/shm}
CLEAN=$LIBEXEC/mmaplab-clean

# A word from outside (an argument, a name) as the terminal may show it:
# escaped as the programs escape (mmaplab-clean --escape uses the same
# function), so that no control byte in it reaches the terminal.  Without
# the helper, every byte that is not printable ASCII becomes '?'.
esc() {
    "$CLEAN" --escape "$1" 2>/dev/null ||
        printf '%s\n' "$1" | LC_ALL=C tr -c '\040-\176\n' '?'
}

usage() {
    cat <<EOF
Usage: $me list
       $me run PROG [ARGS...]      PROG: 03-copy, 03 or copy
       $me clean [--dry-run] [--all-users] [--user NAME] [--force]
       $me view [ARGS...]
       $me tour [ARGS...]          the guided tour (make demo)
       $me --help | --version

clean lists the shared memory objects in $(esc "$SHM") that belong to you and look
like mmaplab's (named MyFileMappingObject*, mmaplab*, or \$MMAPLAB_NAME), and
removes them.  An object some process still maps or holds open is kept, and
so is one that a process clean could not inspect (another user's) could
have opened; --force removes them anyway.  --all-users (or --user NAME)
looks at other users' objects too, for a teacher; removing those needs
root.  --dry-run only says what would be removed and what kept, and why.
EOF
}

programs() {
    for p in "$LIBEXEC"/[0-9][0-9]-*; do
        [ -x "$p" ] && basename "$p"
    done
}

find_prog() {
    want=$1
    case $want in
    [0-9]) want=0$want ;;
    esac
    for p in $(programs); do
        case $p in
        "$want"|"$want"-*|[0-9][0-9]-"$want") echo "$p"; return 0 ;;
        esac
    done
    return 1
}

cmd_list() {
    found=0
    for p in $(programs); do
        found=1
        summary=$("$LIBEXEC/$p" --help 2>/dev/null | sed -n '3p')
        printf '  %-18s %s\n' "$p" "$(esc "$summary")"
    done
    [ $found = 1 ] || { echo "$me: no programs in $(esc "$LIBEXEC")" >&2; exit 1; }
}

cmd_run() {
    [ $# -ge 1 ] || { echo "$me: run needs a program: $me run 01-create (see $me list)" >&2; exit 2; }
    p=$(find_prog "$1") || {
        echo "$me: no program '$(esc "$1")'; the programs are:" >&2
        programs | sed 's/^/  /' >&2
        exit 2
    }
    shift
    exec "$LIBEXEC/$p" "$@"
}

cmd_clean() {
    for a in "$@"; do
        case $a in -h|--help) usage; exit 0 ;; esac
    done
    [ -x "$CLEAN" ] || {
        echo "$me: clean needs $(esc "$CLEAN"), which is not there: reinstall (make install)" >&2
        exit 1
    }
    MMAPLAB_SHM_DIR=$SHM exec "$CLEAN" "$@"
}

case ${1:-} in
list) cmd_list ;;
run) shift; cmd_run "$@" ;;
clean) shift; cmd_clean "$@" ;;
view) shift
      for v in "$(dirname "$0")/mmapview" "$LIBEXEC/mmapview"; do
          [ -x "$v" ] && exec "$v" "$@"
      done
      exec mmapview "$@" ;;
tour) shift
      [ -x "$LIBEXEC/mmaplab-tour" ] || {
          echo "$me: the tour is not installed in $(esc "$LIBEXEC") (make install puts it there)" >&2
          exit 1
      }
      MMAPLAB_VIEWER=${MMAPLAB_VIEWER:-$(dirname "$0")/mmapview}
      export MMAPLAB_VIEWER
      exec "$LIBEXEC/mmaplab-tour" "$@" ;;
-h|--help|help) usage ;;
-V|--version) echo "mmaplab $VERSION" ;;
"") usage; exit 2 ;;
*) echo "$me: unknown command '$(esc "$1")'" >&2; usage >&2; exit 2 ;;
esac
