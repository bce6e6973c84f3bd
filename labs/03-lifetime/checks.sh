# checks.sh — lab 03, Windows lifetime on POSIX, judged from outside: the
# name in /dev/shm while participants come and go, the count read straight
# from the object (through a descriptor the grader keeps, so it can be read
# after the name is gone), each participant's calls under strace (who
# calls shm_unlink), and a participant killed with SIGKILL.

LAB_TITLE="Windows lifetime on POSIX: the last one to close removes the name"
LAB_CHECKS=(stays:2 goes:2 killed:3 cleanup:1)

LAB_WHAT[stays]="the name exists while any participant holds it, and only the last one calls shm_unlink"
LAB_WHAT[goes]="the name disappears when the last participant closes: it calls shm_unlink"
LAB_WHAT[killed]="a participant killed with SIGKILL is counted out: the count is right, and the name still goes"
LAB_WHAT[cleanup]="a participant that leaves (not the last) munmaps and closes, exit 0"

LAB_READ[stays]='lessons/05-close.md, "Why" (a POSIX name outlives its users), labs/03-lifetime/README.md'
LAB_READ[goes]='lessons/05-close.md, "The POSIX step" and "Pitfalls"'
LAB_READ[killed]='lessons/11-robust-mutex.md, "The POSIX step" and "Why"'
LAB_READ[cleanup]='lessons/05-close.md, "The POSIX step"'

# lab03_keep NAME: a descriptor of the object kept by the grader, as a path
# (G_KEPT), to read the count once the name is gone.
lab03_keep() {
    local fd
    exec {fd}<"$(g_shm "$1")" || return 1
    G_KEPT=/proc/$BASHPID/fd/$fd
    LAB03_FDS+=("$fd")
}
lab03_count() { od -An -t d8 -N 8 -- "$1" 2>/dev/null | tr -d ' '; }
lab03_unlinks() { g_calls "$1" "unlink(at)?\(.*\"$(g_shm "$2")\""; }
lab03_exists() { [ -e "$(g_shm "$1")" ]; }

# lab03_join KEY NAME: start one participant and wait for its hold; 1 and
# G_FAILED (what was seen) when it did not get there.
lab03_join() {
    g_start "$1" "$G_PROG" "$2"
    if ! g_wait_hold "$1" 10; then
        G_FAILED="participant $1 did not hold: $G_WHY; stderr \"$(g_err "$1")\""
        return 1
    fi
}

lab_run() {
    local x y kx ky n1 n2 status a_unl b_unl i p fd addr missing
    LAB03_FDS=()

    # Two participants: A makes, B joins, A leaves, B leaves.
    x=$(g_name two)
    if ! lab03_join a "$x"; then
        g_fail stays "$G_FAILED" "it makes (or opens) the object and waits on its input"
    elif ! lab03_exists "$x"; then
        g_fail stays "while participant A holds, there is no $(g_shm "$x")" "the object made by the first participant"
    else
        lab03_keep "$x"; kx=$G_KEPT
        n1=$(lab03_count "$kx")
        if ! lab03_join b "$x"; then
            g_fail stays "$G_FAILED" "the second participant opens the same object and waits on its input"
        else
            n2=$(lab03_count "$kx")
            g_finish a 10
            status=$(g_status a)
            a_unl=$(lab03_unlinks a "$x")
            if [ -n "$a_unl" ]; then
                g_fail stays "A left while B still held it, and called $(g_esc "${a_unl%%$'\n'*}")" \
                    "only the last one to leave calls shm_unlink"
            elif ! lab03_exists "$x"; then
                g_fail stays "A left ($status) while B still held it, and the name is gone" \
                    "the name stays while any participant holds it"
            elif [ "$n1" != 1 ] || [ "$n2" != 2 ] || [ "$(lab03_count "$kx")" != 1 ]; then
                g_fail stays "the count at offset 0 was ${n1:-?} with A, ${n2:-?} with A and B, $(lab03_count "$kx") after A left" \
                    "1, 2, then 1: an int64_t count of participants at the object's start"
            else
                g_pass stays "count 1, 2, then 1 after A left; the name stayed, A never called shm_unlink"
            fi

            # cleanup, from A's run.
            missing=""
            fd=$(g_shm_fd a "$x")
            if [ -z "$fd" ]; then
                missing="A never opened the object"
            else
                p=$(g_calls_after a "$x" "mmap\\(.*, $fd, " | sed -n 's/.* = \(0x[0-9a-f]*\)$/\1/p')
                [ -n "$p" ] || missing="no mmap of the object;"
                for addr in $p; do
                    g_calls_after a "$x" "munmap\\($addr, " | grep -q '= 0$' || missing="$missing no munmap($addr, ...);"
                done
                g_calls_after a "$x" "close\\($fd\\)" | grep -q '= 0$' || missing="$missing no close($fd);"
                [ "$status" = "exit 0" ] || missing="$missing it ended with $status;"
            fi
            if [ -z "$missing" ]; then g_pass cleanup "A: munmap, close, exit 0"
            else g_fail cleanup "${missing# }" "munmap and close, each checked, then exit 0"; fi

            g_finish b 10
            b_unl=$(lab03_unlinks b "$x")
            if lab03_exists "$x"; then
                g_fail goes "the last participant left ($(g_status b)) and $(g_shm "$x") is still there" \
                    "the last one to leave (count 0) calls shm_unlink"
            elif [ -z "$b_unl" ]; then
                g_fail goes "the name is gone, but the last participant never called shm_unlink" \
                    "shm_unlink by the last one to leave"
            else
                g_pass goes "B, the last, called shm_unlink; the name is gone"
            fi
        fi
    fi

    # Three participants, the second killed with SIGKILL while it holds.
    y=$(g_name killed)
    if ! lab03_join k1 "$y" || ! lab03_join k2 "$y" || ! lab03_join k3 "$y"; then
        g_fail killed "$G_FAILED" "three participants, each waiting on its input"
        for i in k1 k2 k3; do [ -n "${G_SID[$i]:-}" ] && g_kill "$i"; done
    else
        lab03_keep "$y"; ky=$G_KEPT
        n1=$(lab03_count "$ky")
        p=$(g_pid k2)
        # Killed while it waits on its input, before its input ends: it
        # gets no chance to leave by itself (g_kill ends the input first).
        kill -KILL -- "-${G_SID[k2]}" 2>/dev/null
        wait "${G_SID[k2]}" 2>/dev/null
        g_eof k2
        for ((i = 0; i < 100; i++)); do g_alive "$p" || break; sleep 0.05; done
        # The third leaves before the first: the last one out is the
        # one that made the object, and the one that counted out the
        # killed one is not the last.
        g_finish k3 10
        n2=$(lab03_count "$ky")
        g_finish k1 10
        if [ "$n1" != 3 ]; then
            g_fail killed "with three participants the count at offset 0 was ${n1:-?}" "3"
        elif [ "$n2" != 1 ]; then
            g_fail killed "after one was killed and one left, with one still holding: the count ${n2:-?}" \
                "the count 1: the one who leaves counts out the killed one (its slot's robust mutex says EOWNERDEAD)"
        elif lab03_exists "$y"; then
            g_fail killed "one killed, the other two left ($(g_status k3), then $(g_status k1)): $(g_shm "$y") is still there, count $(lab03_count "$ky")" \
                "the name gone: the killed participant no longer counts"
        else
            g_pass killed "count 3, then 1 after a kill and a leave, then the name gone"
        fi
    fi
    for fd in "${LAB03_FDS[@]}"; do exec {fd}<&-; done
}
