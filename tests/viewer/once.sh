#!/bin/bash
# mmapview --once and --json through the walkthrough, without a terminal:
# what a script sees at each step, checked against the outside (stat,
# /proc) where it can be.  The same steps on the live screen: tmux.sh.
. "$(dirname "$0")/../lib.sh"

MV=$BIN/mmapview
N=$(t_name)
TR=$(t_trace)
F=/dev/shm/${N#/}
MSG="Message from first process."

# jget JSON KEY: the first value of KEY (strings without their quotes).
jget() {
    printf '%s' "$1" | grep -o "\"$2\":\(\"[^\"]*\"\|[^,}]*\)" | head -n 1 |
        sed -e "s/^\"$2\"://" -e 's/^"//' -e 's/"$//'
}
# procs JSON: one line per process entry (they hold no nested objects).
procs() { printf '%s' "$1" | grep -o '{"pid":[0-9]*,"comm":"[^"]*"[^{}]*}'; }

# ---- the command line ------------------------------------------------------
for bad in "--interval 10" "--interval x" "--page -1" "--bogus" "/a /b" \
           "--once --json" "/." "/" "--samples 0" "--timeout 0" "--file"; do
    # shellcheck disable=SC2086
    err=$("$MV" $bad 2>&1 >/dev/null); rc=$?
    if [ $rc -eq 2 ] && [ -n "$err" ]; then ok "refused with status 2 and a reason: mmapview $bad"
    else not_ok "refused with status 2 and a reason: mmapview $bad" "status $rc" "$err"; fi
done
expect_match "--help names every option" "--interval MS.*" "$("$MV" --help)"
expect_match "--version" "^mmapview [0-9]" "$("$MV" --version)"
err=$("$MV" "$N" </dev/null 2>&1); rc=$?
expect_eq "the live view without a terminal is refused (status 2)" 2 "$rc"
expect_match "...saying to use --once or --json" "--once or --json" "$err"

# ---- before 01-create: waiting -------------------------------------------
out=$("$MV" --once "$N"); rc=$?
expect_eq "--once on a name that does not exist exits 1" 1 "$rc"
expect_match "...and says it waits for 01-create" "state +waiting: .*01-create" "$out"
j=$("$MV" --json "$N"); rc=$?
expect_eq "--json exits 1 too" 1 "$rc"
expect_eq "...state waiting" waiting "$(jget "$j" state)"
expect_eq "...kind shm" shm "$(jget "$j" kind)"
expect_eq "...size null" null "$(jget "$j" size)"

# --wait: a timeout, then an object that appears while it waits.
start=$(date +%s%N)
"$MV" --json --wait --timeout 1 "$N" >/dev/null; rc=$?
took=$(( ($(date +%s%N) - start) / 1000000 ))
expect_eq "--wait --timeout 1 gives up with status 1" 1 "$rc"
if [ $took -ge 900 ] && [ $took -lt 5000 ]; then ok "...after about a second ($took ms)"
else not_ok "...after about a second" "took $took ms"; fi
"$MV" --json --wait --timeout 20 --trace "$TR" "$N" >"$T_SCRATCH/wait.json" &
waiter=$!
t_bg $waiter
"$BIN/01-create" -n "$N" --trace "$TR" >/dev/null
wait_exit $waiter 20
expect_eq "--wait returns 0 once 01-create made the object" 0 "$T_STATUS"
expect_eq "...and shows it live" live "$(jget "$(cat "$T_SCRATCH/wait.json")" state)"

# ---- after 01-create: one page, not resident ------------------------------
j=$("$MV" --json --trace "$TR" "$N"); rc=$?
expect_eq "--json on the new object exits 0" 0 "$rc"
expect_eq "state live" live "$(jget "$j" state)"
expect_eq "size 256, 1 page of $(getconf PAGESIZE)" "256 1 $(getconf PAGESIZE)" \
    "$(jget "$j" size) $(jget "$j" pages) $(jget "$j" page_size)"
expect_eq "dev, ino, nlink, uid and mode as stat sees them" \
    "$(stat -c '%Hd:%Ld %i %h %u 0%a' "$F")" \
    "$(jget "$j" dev) $(jget "$j" ino) $(jget "$j" nlink) $(jget "$j" uid) $(jget "$j" mode)"
expect_eq "residency from mincore: 0 pages, map 0" "mincore 0 0" \
    "$(jget "$j" source) $(jget "$j" count) $(jget "$j" map)"
expect_eq "the page is a hole, read as zeros without faulting it" "true" "$(jget "$j" hole)"
expect_eq "the object is still a hole afterwards (st_blocks 0)" 0 "$(stat -c %b "$F")"
expect_eq "no process maps it" "" "$(procs "$j")"
expect_eq "the viewer's own descriptor is not counted" "true 0 0" \
    "$(jget "$j" viewer_holds) $(jget "$j" mappers) $(jget "$j" holders)"
expect_match "the trace tail has 01-create's events for this object" '"prog":"01-create","event":"exit"' "$j"
out=$("$MV" --once --trace "$TR" "$N")
expect_match "--once: the state" "state +live: the name leads to this object" "$out"
expect_match "--once: 1 page, not resident" "memory +0 of 1 page resident \(mincore\)" "$out"
expect_match "--once: the trace line of shm_open" "01-create +call +create +shm_open\(\"$N\", O_CREAT" "$out"

# Another object's events in the same trace are not shown.
N2=$(t_name)
"$BIN/01-create" -n "$N2" --trace "$TR" >/dev/null
j=$("$MV" --json --trace "$TR" "$N")
expect_no_match "events of another object are left out" "\"object\":\"$N2\"" "$j"
"$BIN/05-close" -n "$N2" --trace "$TR" >/dev/null

# ---- 03-copy holds: the message is in the page, which is resident ---------
start_held first "$BIN/03-copy" -n "$N" --trace "$TR"
wait_event "$TR" 03-copy hold || not_ok "03-copy reaches its hold point" "$(err_of first)"
j=$("$MV" --json --trace "$TR" "$N")
expect_eq "the page is resident now" "1 1" "$(jget "$j" count) $(jget "$j" map)"
expect_match "the page's text starts with the message" "\"text\":\"$MSG\.\.\." "$j"
expect_match "the page's hex starts with the message's bytes" \
    "\"hex\":\"$(printf '%s' "$MSG" | od -An -tx1 | tr -d ' \n')00" "$j"
p=$(procs "$j")
expect_eq "one process maps it: 03-copy" 1 "$(printf '%s\n' "$p" | grep -c '"comm":"03-copy"')"
expect_match "...shared, read-write, from offset 0" '"perms":"rw-s","offset":0' "$p"
expect_match "...with its Rss from smaps" '"rss_kb":[1-9][0-9]*' "$p"
expect_eq "...the address range /proc/PID/maps shows" \
    "$(grep -F "$F" "/proc/$(pid_of first)/maps" | cut -d' ' -f1)" \
    "$(printf '%s' "$p" | grep -o '"start":"0x[0-9a-f]*","end":"0x[0-9a-f]*"' |
       sed -e 's/"start":"0x//' -e 's/","end":"0x/-/' -e 's/"$//')"
out=$("$MV" --once --trace "$TR" "$N")
expect_match "--once shows the message in the hex rows" \
    "00000000  4d 65 73 73 61 67 65 20  66 72 6f 6d 20 66 69 72  \|Message from fir\|" "$out"
expect_match "--once lists 03-copy" "^  [0-9]+ +03-copy +[0-9a-f]+-[0-9a-f]+ rw-s" "$out"
expect_match "...and says what its columns mean, PR_ not being MAP_PRIVATE" \
    "PSS: each page shared out .* SH_/PR_: pages shared with another process / used by this one alone \(not MAP_SHARED/MAP_PRIVATE\)" "$out"

# ---- 04-open holds too: two processes, one frame --------------------------
start_held second "$BIN/04-open" -n "$N" --trace "$TR"
wait_event "$TR" 04-open hold || not_ok "04-open reaches its hold point" "$(err_of second)"
j=$("$MV" --json --trace "$TR" "$N")
p=$(procs "$j")
expect_eq "two processes map it" 2 "$(printf '%s\n' "$p" | grep -c '"fd_only":false')"
if [ "$(jget "$j" frames_visible)" = true ]; then
    expect_eq "both see the page on the same frame (group A, twice)" \
        "A A" "$(printf '%s\n' "$p" | grep -o '"frame_group":"[A-Z]"' | cut -d'"' -f4 | tr '\n' ' ' | sed 's/ $//')"
    frames=$(printf '%s\n' "$p" | grep -o '"frame":[0-9]*' | sort -u | wc -l)
    expect_eq "...one frame number" 1 "$frames"
    expect_match "...which has 2 mappings (kpagecount)" '"frame_mapcount":([2-9]|[1-9][0-9]+)' "$p"
else
    expect_eq "without CAP_SYS_ADMIN the frames are hidden, never equal" \
        "hidden hidden" "$(printf '%s\n' "$p" | grep -o '"frame_state":"[a-z]*"' | cut -d'"' -f4 | tr '\n' ' ' | sed 's/ $//')"
    expect_no_match "...and no frame group is given" '"frame_group":"' "$p"
fi
expect_match "hidden_processes is a count" '"hidden_processes":[0-9]+' "$j"
finish second
finish first

# ---- both gone: no mappers, the name stays ----------------------------------
j=$("$MV" --json "$N"); rc=$?
expect_eq "after both exit, the object is still live (status 0)" "0 live" "$rc $(jget "$j" state)"
expect_eq "...and nobody maps it" "" "$(procs "$j")"
expect_eq "...its page still resident with the message" 1 "$(jget "$j" count)"

# ---- another user's view: the truth about residency, and what is hidden ---
if is_root && id nobody >/dev/null 2>&1; then
    PUB=$(t_public_bin)
    "$BIN/05-close" -n "$N" >/dev/null
    "$BIN/01-create" -n "$N" -s 16k >/dev/null
    chmod 644 "$F"
    printf 'xx' | dd of="$F" bs=4096 seek=2 conv=notrunc status=none
    start_held first "$BIN/03-copy" -n "$N" --trace "$TR"
    wait_event "$TR" 03-copy hold || not_ok "03-copy reaches its hold point" "$(err_of first)"
    root_map=$(jget "$("$MV" --json "$N")" map)
    expect_eq "root sees pages 0 (the message) and 2 resident, from mincore" 1010 "$root_map"
    j=$(as_user nobody "$PUB/mmapview" --json "$N"); rc=$?
    expect_eq "as nobody: the object exists (status 0)" 0 "$rc"
    expect_eq "as nobody: residency from SEEK_DATA, labelled allocated, the same map as root's" \
        "seek_data allocated 1010" "$(jget "$j" source) $(jget "$j" label) $(jget "$j" map)"
    expect_eq "as nobody: root's 03-copy is not seen..." "" "$(procs "$j")"
    hidden=$(jget "$j" hidden_processes)
    [ "${hidden:-0}" -ge 1 ] && ok "...but counted among the processes that could not be inspected ($hidden)" ||
        not_ok "...but counted among the processes that could not be inspected" "$j"
    expect_eq "as nobody: frame numbers are not visible" false "$(jget "$j" frames_visible)"
    out=$(as_user nobody "$PUB/mmapview" --once "$N")
    expect_match "as nobody, --once says residency is allocated, swapped pages too" \
        "memory +2 of 4 pages allocated \(SEEK_DATA: swapped pages too\)" "$out"
    expect_match "...and that some processes could not be inspected" \
        "no process seen mapping it \([0-9]+ could not be inspected\)" "$out"
    expect_match "...and why: /proc shows other users' processes to root only" \
        "processes could not be inspected \(/proc shows other users' maps and descriptors only to root\)" "$out"
    finish first
else
    skip "root" "the view of another user (nobody) needs root to switch to it"
fi

# --page, --file, --samples
"$BIN/05-close" -n "$N" --trace "$TR" >/dev/null
"$BIN/01-create" -n "$N" -s 3k --trace "$TR" >/dev/null
truncate -s 12288 "$F"
printf 'third page' | dd of="$F" bs=1 seek=8192 conv=notrunc status=none
j=$("$MV" --json --page 2 "$N")
expect_eq "--page 2 selects the third page" "2 8192" "$(jget "$j" index) $(jget "$j" offset)"
expect_match "...and shows its bytes" '"text":"third page\.' "$j"
expect_eq "...whose residency map says which pages hold data" 001 "$(jget "$j" map)"
j=$("$MV" --json --page 9 "$N")
expect_eq "--page past the end selects the last page" 2 "$(jget "$j" index)"
j=$("$MV" --json --samples 3 --interval 50 "$N")
expect_eq "--samples 3 takes three samples" 3 "$(jget "$j" samples)"

FILE="$T_SCRATCH/a file.txt"
printf 'plain file bytes\n' > "$FILE"
j=$("$MV" --json --file "$FILE"); rc=$?
expect_eq "--file: a file, live, status 0" "0 file live" "$rc $(jget "$j" kind) $(jget "$j" state)"
expect_match "...its text" '"text":"plain file bytes\.' "$j"
j=$("$MV" --json "$FILE")
expect_eq "a path that is not /NAME is a file" file "$(jget "$j" kind)"

"$BIN/05-close" -n "$N" --trace "$TR" >/dev/null
j=$("$MV" --json "$N"); rc=$?
expect_eq "after 05-close, a new look finds nothing (status 1, waiting)" "1 waiting" "$rc $(jget "$j" state)"
check "nothing is left in /dev/shm" test ! -e "$F"

# MMAPLAB_NAME is a name, for the viewer as for the programs: one without
# its leading '/' is refused with the rule, never followed as a file path.
err=$(MMAPLAB_NAME=mmaplab-no-slash timeout 10 "$MV" --once 2>&1); rc=$?
expect_eq "MMAPLAB_NAME without its '/' is a usage error (exit 2), not a file to wait for" 2 "$rc"
expect_match "...saying the rule and where the name came from" \
    "must begin with '/'.*\(from MMAPLAB_NAME\)" "$err"

done_testing
