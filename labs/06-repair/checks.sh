# checks.sh — lab 06, repair after a killed lock holder, judged from
# outside: the object in /dev/shm, its record read straight from
# /dev/shm/NAME, the program's calls under strace, and a peer process of
# the grader's own (labs/06-repair/peer.c) that holds the lock, dies inside
# it, and tries it afterwards.

LAB_TITLE="repair after a killed lock holder: EOWNERDEAD, repair, consistent"
LAB_CHECKS=(init:2 locks:2 repair:3 consistent:2 cleanup:1)

LAB_WHAT[init]="init makes the object with a robust, process-shared mutex"
LAB_WHAT[locks]="add waits while another process holds the lock"
LAB_WHAT[repair]="after a holder was killed mid-update, the record is repaired (a + b == 0)"
LAB_WHAT[consistent]="the mutex is made consistent: every add done, the next locker gets the lock"
LAB_WHAT[cleanup]="add ends with munmap and close, exit 0, and leaves the name"

LAB_READ[init]='lessons/11-robust-mutex.md, "The POSIX step"'
LAB_READ[locks]='lessons/11-robust-mutex.md, "Goal" and "The POSIX step"'
LAB_READ[repair]='lessons/11-robust-mutex.md, "The POSIX step" and "Why"'
LAB_READ[consistent]='lessons/11-robust-mutex.md, "Pitfalls"'
LAB_READ[cleanup]='lessons/05-close.md, "The POSIX step"'

lab06_peer() { timeout -k 1 10 "$G_WORK/peer" "$@" 2>>"$G_WORK/peer.err"; }
# lab06_keep NAME: a descriptor of the object kept by the grader, as a
# path (G_KEPT), so that its record can be read even if a program
# removes the name.
lab06_keep() {
    local fd
    exec {fd}<"$(g_shm "$1")" || return 1
    G_KEPT=/proc/$BASHPID/fd/$fd
}
lab06_i64() { od -An -t d8 -j "$2" -N 8 -- "$1" 2>/dev/null | tr -d ' '; }
lab06_ab() { echo "a=$(lab06_i64 "$1" 0) b=$(lab06_i64 "$1" 8)"; }

lab_run() {
    local size x y z st probe status ab a b i p
    if ! cc -std=c11 -Wall -Wextra -D_GNU_SOURCE -o "$G_WORK/peer" "$LABS_DIR/06-repair/peer.c" -lrt -pthread 2>"$G_WORK/peer.err"; then
        echo "  grade: the grader's peer did not build: $(g_esc_file "$G_WORK/peer.err")"
        return
    fi
    size=$(lab06_peer size)

    # init: the object, then a holder killed inside the lock.
    x=$(g_name init)
    g_start i "$G_PROG" "$x" init
    g_finish i 10
    status=$(g_status i)
    st=$(g_stat "$x")
    if [ "$status" != "exit 0" ] || [ -z "$st" ]; then
        g_fail init "'init' ended with $status, object: ${st:-none}; stderr \"$(g_err i)\"" "exit 0 and the object made"
    elif [ "${st%% *}" != "$size" ]; then
        g_fail init "the object is ${st%% *} bytes" "sizeof(struct shared) = $size bytes"
    else
        lab06_peer die "$x"
        probe=$(lab06_peer probe "$x")
        if [ "$probe" = EOWNERDEAD ]; then
            g_pass init "$size bytes; after a holder was killed, the next lock said EOWNERDEAD"
        else
            g_fail init "after a holder was killed inside the lock, the next lock said: ${probe:-nothing}" \
                "EOWNERDEAD: pthread_mutexattr_setrobust(PTHREAD_MUTEX_ROBUST) and setpshared(PTHREAD_PROCESS_SHARED)"
        fi
    fi

    # locks: the peer holds the lock; add 1 must wait for it.
    y=$(g_name locks)
    lab06_peer init "$y"
    lab06_keep "$y"; local yk=$G_KEPT
    g_start_plain h "$G_WORK/peer" hold "$y"
    for ((i = 0; i < 100; i++)); do grep -q held "$G_WORK/h.out" 2>/dev/null && break; sleep 0.05; done
    g_start l "$G_PROG" "$y" add 1
    g_pid l >/dev/null; p=${G_PID[l]}
    local waited=0
    for ((i = 0; i < 200; i++)); do
        [ -n "$p" ] && g_in_futex "$p" && { waited=1; break; }
        [ -n "$p" ] && g_alive "$p" || break
        sleep 0.05
    done
    ab=$(lab06_ab "$yk")
    g_finish h 10
    g_finish l 10
    status=$(g_status l)
    if [ $waited = 0 ]; then
        g_fail locks "while another process held the lock it did not wait: $status, record $ab; stderr \"$(g_err l)\"" \
            "it waits in pthread_mutex_lock until the holder unlocks"
    elif [ "$ab" != "a=0 b=0" ]; then
        g_fail locks "it waited, but the record was already $ab" "the record untouched until it has the lock"
    elif [ "$(lab06_ab "$yk")" != "a=1 b=-1" ] || [ "$status" != "exit 0" ]; then
        g_fail locks "after the holder let go: $status, record $(lab06_ab "$yk"); stderr \"$(g_err l)\"" "exit 0, a=1 b=-1"
    else
        g_pass locks "waited for the holder, then a=1 b=-1"
    fi

    # cleanup, from the same run.
    local fd missing="" addr
    fd=$(g_shm_fd l "$y")
    if [ -z "$fd" ]; then
        missing="the object was never opened"
    else
        for addr in $(g_calls_after l "$y" "mmap\\(.*, $fd, " | sed -n 's/.* = \(0x[0-9a-f]*\)$/\1/p'); do
            g_calls_after l "$y" "munmap\\($addr, " | grep -q '= 0$' || missing="$missing no munmap($addr, ...);"
        done
        g_calls_after l "$y" "close\\($fd\\)" | grep -q '= 0$' || missing="$missing no close($fd);"
        [ "$status" = "exit 0" ] || missing="$missing it ended with $status;"
        [ -n "$(g_calls l "unlink(at)?\(.*\"$(g_shm "$y")\"")" ] && missing="$missing it called shm_unlink;"
        [ -n "$(g_stat "$y")" ] || missing="$missing the name is gone;"
    fi
    if [ -z "$missing" ]; then g_pass cleanup "munmap, close, exit 0; the name stays"
    else g_fail cleanup "${missing# }" "munmap and close, each checked, exit 0; no shm_unlink (the object is shared)"; fi

    # repair and consistent: a holder killed between its two stores.
    z=$(g_name repair)
    lab06_peer init "$z"
    lab06_keep "$z"; local zk=$G_KEPT
    lab06_peer die "$z"
    local before
    before=$(lab06_ab "$zk")
    g_start r "$G_PROG" "$z" add 10
    g_finish r 10
    status=$(g_status r)
    a=$(lab06_i64 "$zk" 0) b=$(lab06_i64 "$zk" 8)
    if [ -n "$a" ] && [ -n "$b" ] && [ $((a + b)) = 0 ]; then
        g_pass repair "from $before, after 10 adds: a=$a b=$b"
    else
        g_fail repair "from $before (a holder killed between its stores), after 'add 10': a=$a b=$b ($status)" \
            "a + b == 0: on EOWNERDEAD, b = -a (or a = -b) before going on"
    fi
    probe=$(lab06_peer probe "$zk")
    if [ "$status" = "exit 0" ] && { [ "$a" = 11 ] || [ "$a" = 10 ]; } && [ "$probe" = 0 ]; then
        g_pass consistent "all 10 adds done, and the next locker got the lock"
    else
        g_fail consistent "'add 10' ended with $status, a=$a; the next locker's pthread_mutex_timedlock said ${probe:-nothing}" \
            "exit 0, a = 10 or 11, and 0 for the next locker: pthread_mutex_consistent before the unlock, else ENOTRECOVERABLE for ever"
    fi
}
