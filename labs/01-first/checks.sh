# checks.sh — lab 01, the first process, judged from outside: the object in
# /dev/shm, the program's /proc/PID/maps at its hold, its calls under
# strace, and mmaplab's own 04-open reading the message as a second process.

LAB_TITLE="the first process: create, size, map, copy, hold"
LAB_CHECKS=(create:1 size:2 mode:1 mapped:2 message:2 nul:1 cleanup:1 stays:1)

LAB_WHAT[create]="shm_open makes a new object: O_CREAT | O_EXCL"
LAB_WHAT[size]="the object is SIZE (256) bytes"
LAB_WHAT[mode]="the object is yours alone: mode 0600"
LAB_WHAT[mapped]="at the hold, the object is mapped shared (rw-s)"
LAB_WHAT[message]="04-open, a second process, reads the message"
LAB_WHAT[nul]="a shorter new message ends with its NUL"
LAB_WHAT[cleanup]="at the end: munmap, close, exit 0"
LAB_WHAT[stays]="the name outlives the program"

LAB_READ[create]='lessons/01-create.md, "The POSIX step" and "Pitfalls"'
LAB_READ[size]='lessons/01-create.md, "The POSIX step" and "Pitfalls"'
LAB_READ[mode]='lessons/01-create.md, "Pitfalls"; lessons/TEACHING.md, "One name per student"'
LAB_READ[mapped]='lessons/02-map.md, "The POSIX step" and "What you see"'
LAB_READ[message]='lessons/03-copy.md, "The POSIX step"; lessons/04-open.md, "What you see"'
LAB_READ[nul]='lessons/03-copy.md, "Pitfalls"'
LAB_READ[cleanup]='lessons/05-close.md, "The POSIX step"'
LAB_READ[stays]='lessons/01-create.md, "Why"; lessons/05-close.md, "Why"'

# read_with_04open NAME: what mmaplab's second process prints.
lab01_reader() {
    local out
    if out=$(timeout -k 1 5 "$BIN/04-open" -q --no-hold -n "$1" 2>"$G_WORK/04-open.err"); then
        printf '%s' "${out:0:400}"
    else
        printf '(04-open failed: %s)' "$(grep -m1 'error:' "$G_WORK/04-open.err" | head -c 200)"
    fi
}

lab_run() {
    local name msg short held=0 p st maps got want fd addr calls status
    name=$(g_name first)
    msg="Lab 01 says hello, $RANDOM-$RANDOM."
    short="hi $RANDOM"

    g_start a "$G_PROG" "$name" "$msg"
    if g_wait_hold a 10; then held=1; fi
    g_pid a >/dev/null; p=${G_PID[a]}
    local why=${G_WHY:-}

    # The object, as ls -l shows it, at the hold (or after the end).
    st=$(g_stat "$name")
    if [ -z "$st" ]; then
        local seen="no object $(g_shm "$name") ($why$([ $held = 1 ] && echo "it holds, but made no object"))"
        g_fail size "$seen" "a 256-byte object named $name (the name is argv[1])"
        g_fail mode "$seen" "mode 0600, owner uid $(id -u)"
    else
        set -- $st
        if [ "$1" = 256 ]; then g_pass size "256 bytes"
        else
            local extra=""
            case $(g_status a) in *SIGBUS*) extra=" and the program was killed by SIGBUS: a store past the object's end" ;; esac
            g_fail size "$1 bytes$extra" "256 bytes: ftruncate(fd, SIZE) before the mapping is used"
        fi
        if [ "$2" = 600 ] && [ "$3" = "$(id -u)" ]; then g_pass mode "mode 0600, owner uid $3"
        else g_fail mode "mode 0$2, owner uid $3 (under umask 022)" "mode 0600, owner uid $(id -u): shm_open(..., 0600)"; fi
    fi

    if [ $held = 1 ]; then
        maps=$(g_maps "$p" "$name")
        if [ -z "$maps" ]; then
            g_fail mapped "no mapping of $(g_shm "$name") in /proc/$p/maps at the hold" \
                "one mapping, rw-s: mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), kept until the end"
        elif printf '%s\n' "$maps" | awk '{ print $2 }' | grep -qx 'rw-s'; then
            g_pass mapped "$(printf '%s\n' "$maps" | awk 'NR == 1 { print $1, $2 }') in /proc/$p/maps"
        else
            g_fail mapped "mapped $(printf '%s\n' "$maps" | awk '{ print $2 }' | tr '\n' ' ')in /proc/$p/maps" \
                "rw-s: readable, writable and shared (MAP_SHARED); a 'p' is a private copy no one else sees"
        fi

        got=$(lab01_reader "$name")
        if [ "$got" = "$msg" ]; then g_pass message "04-open read \"$msg\""
        else
            g_fail message "04-open read \"$(g_esc "$got")\"" \
                "\"$msg\" (argv[2]), copied into the shared view"
        fi

        if ! g_send a "$short"; then
            g_fail nul "after the line \"$short\" the program did not wait again: $(g_status a)" \
                "it copies the line, then waits for the next"
        else
            got=$(lab01_reader "$name")
            if [ "$got" = "$short" ]; then g_pass nul "04-open read \"$short\" after the longer message"
            else g_fail nul "04-open read \"$(g_esc "$got")\"" "\"$short\": the new message, ended by its NUL (strlen + 1 bytes)"; fi
        fi
    else
        g_fail mapped "$why" "it waits on its standard input (the hold), the object mapped rw-s"
        g_fail message "$why" "it holds while 04-open reads the message"
        g_fail nul "$why" "it holds, reading new messages"
    fi

    g_finish a 10
    status=$(g_status a)

    fd=$(g_shm_fd a "$name")
    if [ -z "$fd" ]; then
        g_fail create "no successful shm_open of $name in its calls ($status)" "shm_open(NAME, O_CREAT | O_EXCL | O_RDWR, 0600)"
    else
        calls=$(g_calls a "open(at)?\(.*\"$(g_shm "$name")\"" | head -n1)
        case $calls in
        *O_CREAT*O_EXCL*|*O_EXCL*O_CREAT*) g_pass create "O_CREAT | O_EXCL" ;;
        *) g_fail create "$(g_esc "$calls")" "O_CREAT | O_EXCL: a new object, or an error if the name is taken" ;;
        esac
    fi

    # Every view of the object taken down, the descriptor closed, exit 0.
    local missing=""
    if [ -z "$fd" ]; then
        missing="the object was never opened"
    else
        for addr in $(g_calls_after a "$name" "mmap\\(.*, $fd, " | sed -n 's/.* = \(0x[0-9a-f]*\)$/\1/p'); do
            g_calls_after a "$name" "munmap\\($addr, " | grep -q '= 0$' || missing="$missing no munmap($addr, ...);"
        done
        g_calls_after a "$name" "close\\($fd\\)" | grep -q '= 0$' || missing="$missing no close($fd);"
        [ "$status" = "exit 0" ] || missing="$missing it ended with $status;"
    fi
    if [ -z "$missing" ]; then g_pass cleanup "munmap, close, exit 0"
    else g_fail cleanup "${missing# }" "munmap(p, SIZE) and close(fd), each checked, after end of input; then exit 0"; fi

    local unl
    unl=$(g_calls a "unlink(at)?\(.*\"$(g_shm "$name")\"")
    if [ -n "$unl" ]; then
        g_fail stays "it called $(g_esc "$unl")" "no shm_unlink: a POSIX name outlives its program (05-close removes it)"
    elif [ -z "$(g_stat "$name")" ]; then
        g_fail stays "$(g_shm "$name") is gone after the end ($status)" "the name stays until shm_unlink"
    else
        g_pass stays "$(g_shm "$name") is still there"
    fi
}
