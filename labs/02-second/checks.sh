# checks.sh — lab 02, the second process, judged from outside: mmaplab's
# 01-create and 03-copy make the object and put a message in it, 03-copy
# holds; the student's program runs as the second process under strace;
# mmapview --json shows who maps the object at the hold.

LAB_TITLE="the second process: open by name, map, read, hold"
LAB_CHECKS=(opens:2 length:1 mapped:2 message:2 cleanup:1 stays:1)

LAB_WHAT[opens]="opens the object by name, never creates it"
LAB_WHAT[length]="maps the object's whole size, learnt with fstat"
LAB_WHAT[mapped]="at the hold, maps the object shared, beside 03-copy"
LAB_WHAT[message]="prints the message 03-copy wrote"
LAB_WHAT[cleanup]="at the end: munmap, close, exit 0"
LAB_WHAT[stays]="leaves the first process's name in place"

LAB_READ[opens]='lessons/04-open.md, "The POSIX step" and "Pitfalls"'
LAB_READ[length]='lessons/04-open.md, "The POSIX step" (fstat)'
LAB_READ[mapped]='lessons/04-open.md, "What you see"; lessons/08-private-cow.md, "Why"'
LAB_READ[message]='lessons/04-open.md, "The POSIX step"; lessons/03-copy.md, "Pitfalls" (the NUL)'
LAB_READ[cleanup]='lessons/05-close.md, "The POSIX step"'
LAB_READ[stays]='lessons/05-close.md, "Why"'

# lab02_mappers NAME: "PID PERMS" of every process mmapview sees mapping NAME.
lab02_mappers() {
    timeout -k 1 10 "$BIN/mmapview" --json "$1" 2>/dev/null | LC_ALL=C perl -ne '
        while (/\{"pid":(\d+),[^{}]*?"perms":(?:"([^"]*)"|null)/g) { print "$1 ", ($2 // "-"), "\n" }'
}

lab_run() {
    local name missing size msg fd st p got held=0 status line calls
    name=$(g_name second)
    missing=$(g_name never-made)
    size=$(( 3000 + RANDOM % 5000 ))
    msg="Lab 02 reads this, $RANDOM-$RANDOM."

    if ! timeout -k 1 10 "$BIN/01-create" -q -n "$name" -s "$size" > "$G_WORK/01-create.out" 2>&1; then
        echo "  grade: 01-create could not make $name: $(g_esc_file "$G_WORK/01-create.out")"
        return
    fi
    g_start_plain copy "$BIN/03-copy" -q -n "$name" -m "$msg"
    if ! g_wait_hold copy 10; then
        echo "  grade: 03-copy did not hold: $G_WHY: $(g_err copy)"
        return
    fi

    g_start b "$G_PROG" "$name"
    g_wait_hold b 10 && held=1
    local why=${G_WHY:-}
    p=${G_PID[b]}

    if [ $held = 1 ]; then
        local maps mine
        maps=$(lab02_mappers "$name")
        mine=$(printf '%s\n' "$maps" | awk -v p="$p" '$1 == p { print $2 }' | head -n1)
        if [ -z "$maps" ] || ! printf '%s\n' "$maps" | grep -q "^${G_PID[copy]} "; then
            g_fail mapped "mmapview --json $name did not list 03-copy (pid ${G_PID[copy]}) as a mapper: $(g_esc "$maps")" \
                "03-copy and this program both listed"
        elif [ -z "$mine" ] || [ "$mine" = - ]; then
            g_fail mapped "mmapview lists $(printf '%s\n' "$maps" | wc -l) process(es), and pid $p maps nothing of $name" \
                "pid $p maps the object: mmap(..., MAP_SHARED, fd, 0) kept until the end"
        elif [[ $mine == *s ]]; then
            g_pass mapped "mmapview: pid ${G_PID[copy]} (03-copy) and pid $p ($mine) map it"
        else
            g_fail mapped "pid $p maps it $mine" "a shared mapping (…s): MAP_SHARED sees what the first process writes later, MAP_PRIVATE may not"
        fi

        if grep -aqxF -- "$msg" "$G_WORK/b.out"; then
            g_pass message "printed \"$msg\""
        else
            g_fail message "printed \"$(g_out b)\" by the hold" \
                "the line \"$msg\": the bytes up to the NUL, then a newline, flushed before the hold"
        fi
    else
        g_fail mapped "$why" "it waits on its standard input (the hold), mapping the object"
        g_fail message "$why" "it prints the message, then holds"
    fi

    g_finish b 10
    status=$(g_status b)
    g_finish copy 10

    fd=$(g_shm_fd b "$name")
    calls=$(g_calls b "open(at)?\(.*\"$(g_shm "$name")\"" | head -n1)
    # A second run, on a name that does not exist.
    g_start m "$G_PROG" "$missing"
    g_finish m 10
    local mstatus merr
    mstatus=$(g_status m)
    merr=$(g_err m)
    if [ -z "$calls" ]; then
        g_fail opens "no shm_open of $name in its calls ($status)" "shm_open(NAME, O_RDONLY, 0)"
    elif [[ $calls == *O_CREAT* ]]; then
        g_fail opens "$(g_esc "$calls")" "no O_CREAT: the second process finds the first's object, or fails"
    elif [ -n "$(g_stat "$missing")" ]; then
        g_fail opens "run on a missing name, it made $(g_shm "$missing")" "it fails and makes nothing"
    elif [ "$mstatus" = "exit 0" ] || [[ $mstatus != exit* ]] || ! [[ $merr =~ "No such file"|ENOENT ]]; then
        g_fail opens "run on a missing name: $mstatus, stderr \"$merr\"" "exit 1 and a message on stderr saying why (ENOENT: run the first process first)"
    else
        g_pass opens "no O_CREAT; on a missing name: $mstatus and a message on stderr"
    fi

    if [ -z "$fd" ]; then
        g_fail length "the object was never opened ($status)" "mmap(NULL, st.st_size, ...)"
    else
        local lens
        lens=$(g_calls_after b "$name" "mmap\\(.*, $fd, " | sed -n 's/^mmap([^,]*, \([0-9]*\),.*/\1/p' | tr '\n' ' ')
        if [ "$lens" = "$size " ]; then g_pass length "mmap of $size bytes, the object's size"
        else g_fail length "mmap lengths of the object: ${lens:-none}(the object is $size bytes)" "one mmap of st.st_size = $size bytes"; fi
    fi

    local missing_calls=""
    if [ -z "$fd" ]; then
        missing_calls="the object was never opened"
    else
        local addr
        for addr in $(g_calls_after b "$name" "mmap\\(.*, $fd, " | sed -n 's/.* = \(0x[0-9a-f]*\)$/\1/p'); do
            g_calls_after b "$name" "munmap\\($addr, " | grep -q '= 0$' || missing_calls="$missing_calls no munmap($addr, ...);"
        done
        g_calls_after b "$name" "close\\($fd\\)" | grep -q '= 0$' || missing_calls="$missing_calls no close($fd);"
        [ "$status" = "exit 0" ] || missing_calls="$missing_calls it ended with $status;"
    fi
    if [ -z "$missing_calls" ]; then g_pass cleanup "munmap, close, exit 0"
    else g_fail cleanup "${missing_calls# }" "munmap(p, size) and close(fd), each checked, after end of input; then exit 0"; fi

    local unl
    unl=$(g_calls b "unlink(at)?\(.*\"$(g_shm "$name")\"")
    if [ -n "$unl" ]; then g_fail stays "it called $(g_esc "$unl")" "no shm_unlink: the name is the first process's (05-close removes it)"
    elif [ -z "$(g_stat "$name")" ]; then g_fail stays "$(g_shm "$name") is gone after the end" "the name stays"
    else g_pass stays "$(g_shm "$name") is still there"; fi
}
