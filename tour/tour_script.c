/* tour_script.c — the words of the tour, and where each program must stand.
 *
 * The `at` of each step is checked against the program's trace when the
 * step comes: if a program changes its calls, the tour says so instead of
 * explaining a call that is not the one waiting.  Texts are plain ASCII so
 * that they show the same in every locale.
 */
#include "tour_script.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The Processes panel when nobody maps or holds the object (the tour is a
 * viewer; some processes may not be inspectable). */
#define NOBODY_RE "no process (maps it or holds it|seen mapping it or holding it) open"

const struct tour_step tour_steps[] = {
    /* ---- 01-create: the first process makes the object ---------------- */
    { PANE_FIRST, "01-create", "shm_open", 1, "create the name",
      "The Win32 first process starts with CreateFileMapping(INVALID_HANDLE_VALUE, ..., szName). "
      "POSIX takes two calls; the first, shm_open with O_CREAT | O_EXCL, makes the name: "
      "a new, empty file in /dev/shm, which is memory (tmpfs).",
      "the Object panel: WAITING becomes LIVE, 0 bytes, no pages.",
      "The name exists: an empty object, 0 bytes, mode 0600. 01-create holds it open "
      "(Processes) but maps nothing.", false,
      { { TN_OBJECT, "state +LIVE" }, { TN_OBJECT, "owner +.* mode 0600" },
        { TN_PROCS, "01-create +holds it open" } } },
    { PANE_FIRST, "01-create", "ftruncate", 1, "give it its size",
      "ftruncate gives the object its size, 256 bytes: BUF_SIZE of the original, where the "
      "size is an argument of CreateFileMapping.",
      "size 256 bytes, 1 page; memory 0 of 1 page resident; the hex panel calls page 0 a hole.",
      "256 bytes of zeros and still no page in memory: nothing has touched the object, so "
      "the kernel has allocated nothing.", true,
      { { TN_OBJECT, "size +256 bytes, 1 page" }, { TN_OBJECT, "memory +0 of 1 page resident" },
        { TN_HEX, "256 bytes, a hole" } } },
    { PANE_FIRST, "01-create", "close", 1, "close, and exit",
      "01-create closes its descriptor and exits. On Windows, closing the last handle of a "
      "section destroys it.",
      "the state stays LIVE once 01-create is gone.",
      "01-create has ended and the object is still there: a POSIX name lives until "
      "shm_unlink, whoever has it open (ls -l /dev/shm lists it).", false,
      { { TN_OBJECT, "state +LIVE" }, { TN_PROCS, NOBODY_RE } } },

    /* ---- 02-map: a view ------------------------------------------------ */
    { PANE_FIRST, "02-map", "shm_open", 2, "open it by name",
      "02-map opens the object by its name alone (shm_open without O_CREAT), then asks its "
      "size with fstat. The Win32 first process needs neither: it still holds hMapFile.",
      "Processes: 02-map holds the object open, with no mapping yet.",
      "02-map has a descriptor for the object and knows its size, 256 bytes.", false,
      { { TN_PROCS, "02-map +holds it open" } } },
    { PANE_FIRST, "02-map", "mmap", 1, "map a shared view",
      "mmap(MAP_SHARED) is MapViewOfFile: the object's page becomes part of 02-map's address "
      "space. Every process that maps it shared sees the same page.",
      "Processes: 02-map maps it, rw-s (s: shared); memory stays 0 of 1 page resident.",
      "02-map maps the object and waits at its hold point. Its Rss is 0k: a mapping costs "
      "nothing until a page is touched.", true,
      { { TN_PROCS, "02-map +[0-9a-f]+-[0-9a-f]+ rw-s" },
        { TN_OBJECT, "memory +0 of 1 page resident" } } },
    { PANE_FIRST, "02-map", "hold", 3, "let it go on: unmap, close",
      "Enter ends 02-map's hold: it unmaps the view (UnmapViewOfFile), closes its "
      "descriptor (CloseHandle) and exits.",
      "Processes: the mapping goes; the object stays LIVE, still a hole.",
      "02-map has ended. Nobody maps or holds the object; it is still LIVE, 256 bytes, "
      "no page in memory.", false,
      { { TN_PROCS, NOBODY_RE }, { TN_OBJECT, "state +LIVE" }, { TN_HEX, "a hole" } } },

    /* ---- 03-copy: the message goes in ----------------------------------- */
    { PANE_FIRST, "03-copy", "shm_open", 3, "the first process: open and map",
      "03-copy is the rest of the Win32 first process. It opens the object by name, takes "
      "its size with fstat and maps it shared, as 02-map did.",
      "Processes: 03-copy maps it, rw-s.",
      "03-copy maps the object; its next call writes through the view.", false,
      { { TN_PROCS, "03-copy +[0-9a-f]+-[0-9a-f]+ rw-s" } } },
    { PANE_FIRST, "03-copy", "memcpy", 1, "copy the message in",
      "memcpy is CopyMemory: 28 bytes, the message and its NUL, stored through the view "
      "straight into the object's page. The first store makes the kernel allocate the page.",
      "the hex panel: \"Message from first process.\" then 00; memory: 1 of 1 page resident.",
      "The message is in the object itself, not in 03-copy. 03-copy now holds (the _getch() "
      "of the original), keeping its view while a second process reads.", true,
      { { TN_HEX, "\\|Message from fir\\|" }, { TN_OBJECT, "memory +1 of 1 page resident" } } },

    /* ---- 04-open: the second process ------------------------------------ */
    { PANE_SECOND, "04-open", "shm_open", 2, "the second process opens it by name",
      "04-open is the Win32 second process. OpenFileMapping(FILE_MAP_ALL_ACCESS, FALSE, "
      "szName) is shm_open without O_CREAT: it needs nothing from the first process but the "
      "name.",
      "Processes: 04-open holds it open beside 03-copy's mapping.",
      "The second process found the object by its name alone.", false,
      { { TN_PROCS, "04-open +holds it open" },
        { TN_PROCS, "03-copy +[0-9a-f]+-[0-9a-f]+ rw-s" } } },
    { PANE_SECOND, "04-open", "mmap", 1, "map the same object",
      "04-open maps the object shared (MapViewOfFile), then measures the message with "
      "strnlen. Reading through the view is what puts the page in its page table.",
      "Processes: 2 map it; Frames: both processes on one frame (without CAP_SYS_ADMIN the "
      "number is hidden, and hidden never means equal).",
      "Two processes map one physical page; the second has read through its view already.",
      false,
      { { TN_PROCS, "Processes: 2 map it" },
        { TN_FRAMES, "2 mappings, one frame|frame numbers hidden" } } },
    { PANE_SECOND, "04-open", "printf", 1, "show the message",
      "04-open prints what its view holds, up to the NUL: the MessageBox of the original. "
      "Nothing was copied from the first process.",
      "the second process's pane: Message from first process.",
      "The message crossed with no copy. Both processes hold now, 03-copy at its _getch() "
      "and 04-open at its MessageBox, on the same page.", true,
      { { TN_PANE, "^Message from first process\\." } } },
    { PANE_SECOND, "04-open", "hold", 3, "OK in the MessageBox: unmap, close",
      "Enter is the MessageBox's OK: 04-open unmaps its view, closes its descriptor and "
      "exits.",
      "Processes: only 03-copy maps the object.",
      "The second process has ended; 03-copy still maps the page.", false,
      { { TN_PROCS, "Processes: 1 maps it" }, { TN_PROCS, "03-copy +[0-9a-f]+-[0-9a-f]+ rw-s" } } },
    { PANE_FIRST, "03-copy", "hold", 3, "_getch() returns: unmap, close",
      "Enter ends 03-copy's hold: it unmaps, closes and exits. On Windows this is the last "
      "handle: the section would be destroyed here.",
      "the state stays LIVE; the message stays in the hex panel, the page resident.",
      "Both processes are gone; the object, its name and the message remain. This is where "
      "POSIX and Windows differ most: the name, not the handles, keeps it.", true,
      { { TN_OBJECT, "state +LIVE" }, { TN_PROCS, NOBODY_RE },
        { TN_HEX, "\\|Message from fir\\|" } } },

    /* ---- 05-close: the name goes ---------------------------------------- */
    { PANE_SECOND, "05-close", "shm_open", 2, "open it for a last look",
      "05-close opens the object by name once more and takes its size.",
      "Processes: 05-close holds it open.",
      "05-close has the object open.", false,
      { { TN_PROCS, "05-close +holds it open" } } },
    { PANE_SECOND, "05-close", "mmap", 1, "map it read-only",
      "It maps the object with PROT_READ and shows its first bytes.",
      "the second process's pane: the message, in hex.",
      "The message outlived both processes that wrote and read it.", false,
      { { TN_PROCS, "05-close +[0-9a-f]+-[0-9a-f]+ r--s" },
        { TN_PANE, "^ +00000000  4d 65 73 73" } } },
    { PANE_SECOND, "05-close", "munmap", 2, "unmap and close",
      "munmap and close: UnmapViewOfFile and CloseHandle. On Windows the last CloseHandle "
      "ends the object; here it does not.",
      "the state stays LIVE with nobody using the object.",
      "Nobody maps or holds the object, and it is still LIVE: closing never removes a POSIX "
      "name.", false,
      { { TN_PROCS, NOBODY_RE }, { TN_OBJECT, "state +LIVE" } } },
    { PANE_SECOND, "05-close", "shm_unlink", 1, "remove the name",
      "shm_unlink removes the name: POSIX has a call for it, Windows does not. The memory "
      "goes once no process maps the object; none does, so it goes now.",
      "the state: LIVE becomes FREED (a viewer started afterwards finds nothing: WAITING); "
      "/dev/shm no longer lists it.",
      "The name is gone and the memory with it: the viewer has let go too.", true,
      { { TN_OBJECT, "state +FREED" } } },
    { PANE_SECOND, "05-close", "shm_open", 1, "open it again: ENOENT",
      "Opening the name now fails with ENOENT, and that is the point: the name is gone, as "
      "OpenFileMapping fails after the last CloseHandle.",
      "the second process's pane: expected: ENOENT.",
      "The walkthrough is done, and /dev/shm is as it was.", false,
      { { TN_PANE, "ENOENT" } } },
};

const int tour_nsteps = (int)(sizeof tour_steps / sizeof tour_steps[0]);

const struct tour_extra tour_extras[] = {
    { "06-inherit",
      "fork and exec: a child inherits the descriptor and the mapping; FD_CLOEXEC",
      OBJ_SHM, NULL, NULL,
      "\"A child process inherits the handle.\" 06-inherit makes an object and forks a child "
      "that writes through the inherited view. Then it execs itself twice: with FD_CLOEXEC "
      "set the descriptor is gone after exec (EBADF); cleared, the number still names the "
      "object.",
      "the hex panel: what the children write at offsets 0 and 128; Processes: the exec'd "
      "child beside its parent.",
      2,
      { "The exec'd child holds the descriptor it inherited once FD_CLOEXEC was cleared. It "
        "maps the object too (Processes), and its reply is at offset 128 (hex panel).",
        "The parent holds two views: the named object, and a MAP_SHARED | MAP_ANONYMOUS page "
        "that has no name: no viewer can open it, only fork shares it." },
      "06-inherit unmapped, closed and removed its object.",
      { { { TN_PANE, "the child got EBADF" }, { TN_PROCS, "exe +[0-9a-f]+-[0-9a-f]+ rw-s" },
          { TN_HEX, "^00000080  72 65 70 6c 79" } },
        { { TN_PANE, "both views are mapped: /proc/[0-9]+/maps" } },
        { { TN_OBJECT, "state +FREED" } } } },
    { "07-file-pages",
      "two processes map one file: one page of memory, and read(2) sees it at once",
      OBJ_FILE, "mmaplab-pages.dat", "-d",
      "A file instead of a name in /dev/shm: 07-file-pages maps a two-page file; a second "
      "process opens it by its path, maps it and writes the message. The first sees it at "
      "once, through its view and through read(2): all three are the page cache's one page.",
      "the viewer follows the file: page 0 gets the message; Processes: two mappers; Frames: "
      "one frame.",
      1,
      { "Both processes map the file's page 0: Frames shows one frame for both. Next it shows "
        "why a view's offset must be a multiple of the page size." },
      "07-file-pages deleted its file.",
      { { { TN_FRAMES, "2 mappings, one frame|frame numbers hidden" },
          { TN_PROCS, "Processes: 2 map it" } },
        { { TN_OBJECT, "state +FREED" } } } },
    { "08-private-cow",
      "MAP_PRIVATE: the file's page until the first write, then a copy of its own",
      OBJ_FILE, "mmaplab-cow.dat", "-d",
      "08-private-cow maps a file MAP_PRIVATE (FILE_MAP_COPY) while another process maps it "
      "shared. Before any write both views use the file's page; the first write gives the "
      "private view a copy.",
      "Frames: one frame, then two; the hex panel shows the file's page, which the private "
      "write never reaches.",
      2,
      { "Before the write: both views are on the file's page, one frame (Frames).",
        "After the write: the private view has a frame of its own (Frames: two frames); the "
        "file, and the other process, still read the original text (hex panel)." },
      "08-private-cow deleted its file; the private copy was simply dropped.",
      { { { TN_FRAMES, "2 mappings, one frame|frame numbers hidden" } },
        { { TN_FRAMES, "2 mappings on 2 frames|frame numbers hidden" },
          { TN_HEX, "\\|the file's origi\\|" } },
        { { TN_OBJECT, "state +FREED" } } } },
    { "09-reserve-grow",
      "reserve a 1 GiB view, grow the object under it; SIGBUS past its end",
      OBJ_SHM, NULL, NULL,
      "09-reserve-grow maps a 1 GiB view over a one-page object, then grows the object with "
      "ftruncate four times and touches the new pages: a reservation costs address space, "
      "not memory (Win32: SEC_RESERVE, then MEM_COMMIT).",
      "Object: the size grows to 4 MiB and a page; the page map fills as pages are touched; "
      "Processes: the view's Rss.",
      1,
      { "The object has grown under the view to 4 MiB and a page, all touched (page map); the "
        "view is 1 GiB, its Rss only what was touched. Next: a touch past the end, then "
        "shrinking: each is a SIGBUS, caught." },
      "A touch past the object's end, and one after shrinking it, each got a SIGBUS, caught "
      "(marked in its pane); then 09-reserve-grow removed its object.",
      { { { TN_OBJECT, "size +4198400 bytes" },
          { TN_PROCS, "09-reserve-grow +[0-9a-f]+-[0-9a-f]+ rw-s" } },
        { { TN_PANE, "SIGBUS at 0x[0-9a-f]+, caught: the page is inside" },
          { TN_PANE, "SIGBUS at 0x[0-9a-f]+, caught: that page was in use" } } } },
    { "10-mapped-array",
      "a 5 GiB array file in one view: offsets past 4 GiB, and the NPY header",
      OBJ_FILE, "mmaplab-array.npy", "-o",
      "10-mapped-array makes a 5 GiB file with an NPY header (numpy's format), maps it whole "
      "and stores at eight indexes far apart, some past 4 GiB, where Win32 needs the High "
      "DWORD. The file is sparse: only touched pages cost memory and disk.",
      "Object: 5 GiB; the page map: a few pages in among more than a million; the hex "
      "panel: page 0, the header.",
      1,
      { "The array is mapped: page 0 holds the NPY header ({'descr': '<f8', ...}); the page map "
        "shows the few pages touched in 5 GiB." },
      "The file stays for numpy and --read; the tour removes it when you go back to the list.",
      { { { TN_HEX, "\\|.NUMPY" }, { TN_OBJECT, "size +[0-9]+ bytes \\(5" } },
        { { TN_PANE, "read it back with 10-mapped-array --read" } } } },
    { "11-robust-mutex",
      "a robust process-shared mutex in the object; a lock holder killed, the record repaired",
      OBJ_SHM, NULL, NULL,
      "The first process of the walkthrough just waits for a key; real programs put a lock in "
      "the object. 11-robust-mutex puts a robust, process-shared mutex and a record there; "
      "four workers add 10000 each; then a worker is killed holding the lock, and the next "
      "locker gets EOWNERDEAD and repairs the record (Win32: WAIT_ABANDONED).",
      "the hex panel: the mutex and the counter; Processes: the workers come and go.",
      1,
      { "The record is consistent after the kill: the counter equals the committed log. Next: "
        "the same death with no repair (ENOTRECOVERABLE), and a plain mutex whose owner dies "
        "(only a timed lock gets out)." },
      "With no repair the mutex became ENOTRECOVERABLE (marked in its pane); 11-robust-mutex "
      "removed its object. Next: 12-channels.",
      { { { TN_PANE, "repaired: counter [0-9]+ = the log's sum [0-9]+ \\(consistent\\)" } },
        { { TN_PANE, "ENOTRECOVERABLE" } } } },
    { "12-channels",
      "why share memory: the same bytes through a shared ring, pipes and a socketpair, measured",
      OBJ_SHM, NULL, NULL,
      "12-channels sends the same stream from a parent to a child through a ring in the "
      "object (acquire/release counters, a short spin, then a futex wait), checks every byte, "
      "and measures it; then through a pipe, a grown pipe and a socketpair, and a ping-pong "
      "for latency (Win32: a section and events).",
      "Object: a page of counters, then the ring, every page in memory; the hex panel: head "
      "at offset 0, tail at 64.",
      1,
      { "The ring has carried the stream: head and tail (hex panel) both stand at the bytes "
        "sent. Next: a ring larger than the cache, the pipes, the socketpair, the ping-pong, "
        "and the table." },
      "12-channels printed its table (marked in its pane) and removed its object. Next: 13-page-faults.",
      { { { TN_PANE, "\\[hold\\] the ring has carried the stream" } },
        { { TN_PANE, "moving the stream \\(each row's checksum matched\\)" } } } },
    { "13-page-faults",
      "what a page costs at its first touch: faults, populate, fault-around, huge pages",
      OBJ_SHM, NULL, NULL,
      "A mapping costs nothing until it is touched; 13-page-faults measures the touch. It "
      "stores into every page of a fresh 256 MiB object and counts the minor faults, then gets "
      "the same pages from a second process, through a read-only view, with MAP_POPULATE and "
      "MADV_POPULATE_WRITE, and as huge pages (root), and puts them in one table.",
      "the page map fills at the first touch; Processes: the view's RSS, then a second view.",
      3,
      { "The object is mapped and nothing is touched: no page is resident (page map), the "
        "view's RSS is 0. Next: a store into every page, one fault each.",
        "Every page was touched, one minor fault each (marked in its pane): the page map is "
        "full. Next: a second process touches them again, then a read-only view reads them.",
        "A read-only view of the same pages took about one fault per 16 pages (fault-around; "
        "marked); Processes shows both views. Next: MAP_POPULATE, MADV_POPULATE_WRITE and "
        "huge pages, then the table." },
      "The table puts the phases side by side (marked in its pane); 13-page-faults removed its "
      "object. That is the last program; lessons/README.md lists them all.",
      { { { TN_PANE, "\\[hold\\] mapped, nothing touched" } },
        { { TN_PANE, "first touch \\(write\\), fresh object: [0-9]+ pages, [0-9]+ minor faults" } },
        { { TN_PANE, "read, pages already in memory: [0-9]+ pages, [0-9]+ minor faults" } },
        { { TN_PANE, "phase +pages +faults +pg/fault" } } } },
};

const int tour_nextras = (int)(sizeof tour_extras / sizeof tour_extras[0]);
_Static_assert(sizeof tour_extras / sizeof tour_extras[0] == sizeof TOUR_EXTRA_KEYS - 1,
               "every further program has its key in the menu");

const char *tour_part_word(enum tour_part p)
{
    static const char *const words[TN_PARTS] = {
        "none", "pane", "object", "hex", "frames", "processes",
    };
    return p >= 0 && p < TN_PARTS ? words[p] : "none";
}

int tour_extra_find(const char *which)
{
    char *end;
    long n = strtol(which, &end, 10);

    if (end == which)
        return -1;
    for (int i = 0; i < tour_nextras; i++) {
        if (atoi(tour_extras[i].prog) == n &&
            (*end == '\0' || strcmp(which, tour_extras[i].prog) == 0))
            return i;
    }
    return -1;
}

/* One named line as a row of the list; false when its expression does not
 * compile. */
static bool list_one(FILE *f, const char *where, const struct tour_named *n)
{
    regex_t re;
    bool ok = regcomp(&re, n->re, REG_EXTENDED | REG_NOSUB) == 0;

    if (ok)
        regfree(&re);
    fprintf(f, "%s\t%s\t%s\n", where, tour_part_word(n->part), n->re);
    if (!ok)
        fprintf(stderr, "mmaplab-tour: %s: '%s' is not an extended regular expression\n",
                where, n->re);
    return ok;
}

int tour_list_named(FILE *f)
{
    char where[96];
    int bad = 0;

    for (int k = 0; k < tour_nsteps; k++) {
        for (int i = 0; i < TOUR_MAX_NAMED && tour_steps[k].named[i].re != NULL; i++) {
            snprintf(where, sizeof where, "step\t%d\t%s", k + 1,
                     tour_steps[k].pane == PANE_FIRST ? "first" : "second");
            bad += !list_one(f, where, &tour_steps[k].named[i]);
        }
    }
    for (int x = 0; x < tour_nextras; x++) {
        const struct tour_extra *e = &tour_extras[x];
        for (int h = 0; h <= e->nholds; h++) {
            for (int i = 0; i < TOUR_MAX_NAMED && e->named[h][i].re != NULL; i++) {
                if (h < e->nholds)
                    snprintf(where, sizeof where, "program\t%s\thold %d of %d", e->prog,
                             h + 1, e->nholds);
                else
                    snprintf(where, sizeof where, "program\t%s\tdone", e->prog);
                bad += !list_one(f, where, &e->named[h][i]);
            }
        }
    }
    return bad;
}
