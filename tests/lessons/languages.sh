#!/bin/bash
# Other languages on mmaplab's object (lessons/other-languages.md), checked
# from outside with Debian's Python: its mmap module reads the message
# 03-copy left; multiprocessing.shared_memory's resource tracker removes
# the name after a program that only opened it (before Python 3.13); the
# lesson's fix keeps it.
. "$(dirname "$0")/../lib.sh"
PY=/usr/bin/python3
if ! [ -x "$PY" ]; then
    skip "other languages" "needs Debian's python3 as $PY (apt-get install python3)"
    stop_here
fi

# made NAME: a fresh object holding the default message.
made() {
    "$BIN/01-create" -n "$1" -q >/dev/null 2>&1 &&
        "$BIN/03-copy" -n "$1" -q --no-hold >/dev/null 2>&1
}
gone_within() {    # the name is gone within 5 s
    local i
    for i in $(seq 50); do shm_exists "$1" || return 0; sleep 0.1; done
    return 1
}

N=$(t_name)
made "$N"
out=$("$PY" - "$N" <<'EOF2'
import mmap, os, sys
fd = os.open("/dev/shm" + sys.argv[1], os.O_RDWR)
view = mmap.mmap(fd, 0)
os.close(fd)
print(view[:view.find(b"\0")].decode())
view[0:7] = b"Python!"
view.close()
EOF2
)
expect_eq "Python's mmap reads the message 03-copy left" "Message from first process." "$out"
expect_eq "...and its MAP_SHARED write reaches the object" "Python!" "$(head -c 7 "/dev/shm/${N#/}")"
"$BIN/05-close" -n "$N" -q --no-hold >/dev/null 2>&1

N=$(t_name)
made "$N"
tracked=$("$PY" -c 'import inspect; from multiprocessing import shared_memory as s; print("track" in inspect.signature(s.SharedMemory).parameters)')
out=$("$PY" -W ignore - "$N" <<'EOF2'
import sys
from multiprocessing import shared_memory
shm = shared_memory.SharedMemory(name=sys.argv[1].lstrip("/"))
print(bytes(shm.buf[:64]).split(b"\0")[0].decode())
shm.close()
EOF2
)
expect_eq "shared_memory opens the object by name and reads the message" "Message from first process." "$out"
if gone_within "$N"; then
    ok "...and when the program ends, its resource tracker removes the name it only opened"
else
    not_ok "...and when the program ends, its resource tracker removes the name it only opened" \
        "the name is still there after 5 s (Python $("$PY" -V 2>&1), track parameter: $tracked)"
    "$BIN/05-close" -n "$N" -q --no-hold >/dev/null 2>&1
fi
out=$("$BIN/04-open" -n "$N" --no-hold --trace off </dev/null 2>&1); rc=$?
expect_eq "...so 04-open finds no object (exit 1)" 1 "$rc"
expect_match "...with ENOENT" "ENOENT" "$out"

N=$(t_name)
made "$N"
"$PY" - "$N" >/dev/null 2>&1 <<'EOF2'
import sys
from multiprocessing import resource_tracker, shared_memory
name = sys.argv[1].lstrip("/")
try:
    shm = shared_memory.SharedMemory(name=name, track=False)
except TypeError:
    shm = shared_memory.SharedMemory(name=name)
    resource_tracker.unregister(shm._name, "shared_memory")
shm.close()
EOF2
if gone_within "$N"; then
    not_ok "with the lesson's fix, the name outlives the Python program" "it was removed"
else
    ok "with the lesson's fix, the name outlives the Python program"
fi
out=$("$BIN/04-open" -n "$N" --no-hold --trace off </dev/null 2>/dev/null); rc=$?
expect_eq "...and 04-open still reads the message" "0 yes" \
    "$rc $(printf '%s\n' "$out" | grep -qx 'Message from first process.' && echo yes)"
"$BIN/05-close" -n "$N" -q --no-hold >/dev/null 2>&1
check "nothing is left in /dev/shm" test ! -e "/dev/shm/${N#/}"

done_testing
