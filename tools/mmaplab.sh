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

usage() {
    cat <<EOF
Usage: $me list
       $me run PROG [ARGS...]      PROG: 03-copy, 03 or copy
       $me clean [--dry-run] [--all-users] [--user NAME] [--force]
       $me view [ARGS...]
       $me tour [ARGS...]          the guided tour (make demo)
       $me --help | --version

clean lists the shared memory objects in $SHM that belong to you and look
like mmaplab's (named MyFileMappingObject*, mmaplab*, or \$MMAPLAB_NAME), and
removes them.  An object some process still maps or holds open is kept
unless --force is given.  --all-users (or --user NAME) looks at other users'
objects too, for a teacher; removing those needs root.  --dry-run only lists.
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
        printf '  %-18s %s\n' "$p" "$summary"
    done
    [ $found = 1 ] || { echo "$me: no programs in $LIBEXEC" >&2; exit 1; }
}

cmd_run() {
    [ $# -ge 1 ] || { echo "$me: run needs a program: $me run 01-create (see $me list)" >&2; exit 2; }
    p=$(find_prog "$1") || {
        echo "$me: no program '$1'; the programs are:" >&2
        programs | sed 's/^/  /' >&2
        exit 2
    }
    shift
    exec "$LIBEXEC/$p" "$@"
}

# Pids that map the object or hold it open (those we are allowed to see).
users_of() {
    path=$SHM/$1
    for d in /proc/[0-9]*; do
        pid=${d#/proc/}
        if grep -qs " $path\( (deleted)\)\{0,1\}\$" "$d/maps" 2>/dev/null; then
            echo "$pid"
            continue
        fi
        for fd in "$d"/fd/*; do
            if [ "$(readlink "$fd" 2>/dev/null)" = "$path" ]; then
                echo "$pid"
                break
            fi
        done
    done
}

cmd_clean() {
    dry=0 all=0 force=0 only_user=
    while [ $# -gt 0 ]; do
        case $1 in
        -n|--dry-run) dry=1 ;;
        -a|--all-users) all=1 ;;
        -u|--user) [ $# -ge 2 ] || { echo "$me: --user needs a user name" >&2; exit 2; }
                   only_user=$2; all=1; shift ;;
        -f|--force) force=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "$me: clean: unknown option '$1' (see $me --help)" >&2; exit 2 ;;
        esac
        shift
    done
    me_user=$(id -un)
    extra=${MMAPLAB_NAME:-}
    extra=${extra#/}
    n=0 removed=0 kept=0 failed=0
    for f in "$SHM"/*; do
        [ -f "$f" ] || continue
        name=${f##*/}
        case $name in
        MyFileMappingObject*|mmaplab*) ;;
        *) [ -n "$extra" ] && [ "$name" = "$extra" ] || continue ;;
        esac
        owner=$(stat -c %U "$f" 2>/dev/null) || continue
        if [ -n "$only_user" ]; then
            [ "$owner" = "$only_user" ] || continue
        elif [ $all = 0 ]; then
            [ "$owner" = "$me_user" ] || continue
        fi
        n=$((n + 1))
        info=$(stat -c '%U %s bytes, changed %y' "$f" 2>/dev/null | cut -d. -f1)
        pids=$(users_of "$name" | tr '\n' ' ')
        line="/$name  ($info)"
        if [ -n "$pids" ]; then
            line="$line  in use by pid $pids"
        fi
        if [ $dry = 1 ]; then
            echo "  $line"
        elif [ -n "$pids" ] && [ $force = 0 ]; then
            echo "  kept     $line  (--force removes the name anyway)"
            kept=$((kept + 1))
        elif rm -f "$f" 2>/dev/null && [ ! -e "$f" ]; then
            echo "  removed  $line"
            removed=$((removed + 1))
        else
            echo "  FAILED   $line  (not yours: only its owner or root can remove it)"
            failed=$((failed + 1))
        fi
    done
    scope="of yours"
    [ $all = 1 ] && scope="of any user"
    [ -n "$only_user" ] && scope="of $only_user"
    if [ $n = 0 ]; then
        echo "no mmaplab objects $scope in $SHM"
    elif [ $dry = 1 ]; then
        echo "$n object(s) $scope; run '$me clean' without --dry-run to remove them"
    else
        echo "$removed removed, $kept kept (in use), $failed could not be removed"
    fi
    [ $failed = 0 ]
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
          echo "$me: the tour is not installed in $LIBEXEC (make install puts it there)" >&2
          exit 1
      }
      MMAPLAB_VIEWER=${MMAPLAB_VIEWER:-$(dirname "$0")/mmapview}
      export MMAPLAB_VIEWER
      exec "$LIBEXEC/mmaplab-tour" "$@" ;;
-h|--help|help) usage ;;
-V|--version) echo "mmaplab $VERSION" ;;
"") usage; exit 2 ;;
*) echo "$me: unknown command '$1'" >&2; usage >&2; exit 2 ;;
esac
