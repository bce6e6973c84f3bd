/* tour_script.c — the words of the tour, and where each program must stand.
 *
 * The `at` of each step is checked against the program's trace when the
 * step comes: if a program changes its calls, the tour says so instead of
 * explaining a call that is not the one waiting.  Texts are plain ASCII so
 * that they show the same in every locale.
 */
#include "tour_script.h"

#include <stdlib.h>
#include <string.h>

const struct tour_step tour_steps[] = {
    /* ---- 01-create: the first process makes the object ---------------- */
    { PANE_FIRST, "01-create", "shm_open", 1, "create the name",
      "The Win32 first process starts with CreateFileMapping(INVALID_HANDLE_VALUE, ..., szName). "
      "POSIX takes two calls; the first, shm_open with O_CREAT | O_EXCL, makes the name: "
      "a new, empty file in /dev/shm, which is memory (tmpfs).",
      "the Object panel: WAITING becomes LIVE, 0 bytes, no pages.",
      "The name exists: an empty object, 0 bytes, mode 0600. 01-create holds it open "
      "(Processes) but maps nothing.", false },
    { PANE_FIRST, "01-create", "ftruncate", 1, "give it its size",
      "ftruncate gives the object its size, 256 bytes: BUF_SIZE of the original, where the "
      "size is an argument of CreateFileMapping.",
      "size 256 bytes, 1 page; memory 0 of 1 page resident; the hex panel calls page 0 a hole.",
      "256 bytes of zeros and still no page in memory: nothing has touched the object, so "
      "the kernel has allocated nothing.", true },
    { PANE_FIRST, "01-create", "close", 1, "close, and exit",
      "01-create closes its descriptor and exits. On Windows, closing the last handle of a "
      "section destroys it.",
      "the state stays LIVE once 01-create is gone.",
      "01-create has ended and the object is still there: a POSIX name lives until "
      "shm_unlink, whoever has it open (ls -l /dev/shm lists it).", false },

    /* ---- 02-map: a view ------------------------------------------------ */
    { PANE_FIRST, "02-map", "shm_open", 2, "open it by name",
      "02-map opens the object by its name alone (shm_open without O_CREAT), then asks its "
      "size with fstat. The Win32 first process needs neither: it still holds hMapFile.",
      "Processes: 02-map holds the object open, with no mapping yet.",
      "02-map has a descriptor for the object and knows its size, 256 bytes.", false },
    { PANE_FIRST, "02-map", "mmap", 1, "map a shared view",
      "mmap(MAP_SHARED) is MapViewOfFile: the object's page becomes part of 02-map's address "
      "space. Every process that maps it shared sees the same page.",
      "Processes: 02-map maps it, rw-s (s: shared); memory stays 0 of 1 page resident.",
      "02-map maps the object and waits at its hold point. Its Rss is 0k: a mapping costs "
      "nothing until a page is touched.", true },
    { PANE_FIRST, "02-map", "hold", 3, "let it go on: unmap, close",
      "Enter ends 02-map's hold: it unmaps the view (UnmapViewOfFile), closes its "
      "descriptor (CloseHandle) and exits.",
      "Processes: the mapping goes; the object stays LIVE, still a hole.",
      "02-map has ended. Nobody maps or holds the object; it is still LIVE, 256 bytes, "
      "no page in memory.", false },

    /* ---- 03-copy: the message goes in ----------------------------------- */
    { PANE_FIRST, "03-copy", "shm_open", 3, "the first process: open and map",
      "03-copy is the rest of the Win32 first process. It opens the object by name, takes "
      "its size with fstat and maps it shared, as 02-map did.",
      "Processes: 03-copy maps it, rw-s.",
      "03-copy maps the object; its next call writes through the view.", false },
    { PANE_FIRST, "03-copy", "memcpy", 1, "copy the message in",
      "memcpy is CopyMemory: 28 bytes, the message and its NUL, stored through the view "
      "straight into the object's page. The first store makes the kernel allocate the page.",
      "the hex panel: \"Message from first process.\" then 00; memory: 1 of 1 page resident.",
      "The message is in the object itself, not in 03-copy. 03-copy now holds (the _getch() "
      "of the original), keeping its view while a second process reads.", true },

    /* ---- 04-open: the second process ------------------------------------ */
    { PANE_SECOND, "04-open", "shm_open", 2, "the second process opens it by name",
      "04-open is the Win32 second process. OpenFileMapping(FILE_MAP_ALL_ACCESS, FALSE, "
      "szName) is shm_open without O_CREAT: it needs nothing from the first process but the "
      "name.",
      "Processes: 04-open holds it open beside 03-copy's mapping.",
      "The second process found the object by its name alone.", false },
    { PANE_SECOND, "04-open", "mmap", 1, "map the same object",
      "04-open maps the object shared (MapViewOfFile), then measures the message with "
      "strnlen. Reading through the view is what puts the page in its page table.",
      "Processes: 2 map it; Frames: both processes on one frame (without CAP_SYS_ADMIN the "
      "number is hidden, and hidden never means equal).",
      "Two processes map one physical page; the second has read through its view already.",
      false },
    { PANE_SECOND, "04-open", "printf", 1, "show the message",
      "04-open prints what its view holds, up to the NUL: the MessageBox of the original. "
      "Nothing was copied from the first process.",
      "the second process's pane: Message from first process.",
      "The message crossed with no copy. Both processes hold now, 03-copy at its _getch() "
      "and 04-open at its MessageBox, on the same page.", true },
    { PANE_SECOND, "04-open", "hold", 3, "OK in the MessageBox: unmap, close",
      "Enter is the MessageBox's OK: 04-open unmaps its view, closes its descriptor and "
      "exits.",
      "Processes: only 03-copy maps the object.",
      "The second process has ended; 03-copy still maps the page.", false },
    { PANE_FIRST, "03-copy", "hold", 3, "_getch() returns: unmap, close",
      "Enter ends 03-copy's hold: it unmaps, closes and exits. On Windows this is the last "
      "handle: the section would be destroyed here.",
      "the state stays LIVE; the message stays in the hex panel, the page resident.",
      "Both processes are gone; the object, its name and the message remain. This is where "
      "POSIX and Windows differ most: the name, not the handles, keeps it.", true },

    /* ---- 05-close: the name goes ---------------------------------------- */
    { PANE_SECOND, "05-close", "shm_open", 2, "open it for a last look",
      "05-close opens the object by name once more and takes its size.",
      "Processes: 05-close holds it open.",
      "05-close has the object open.", false },
    { PANE_SECOND, "05-close", "mmap", 1, "map it read-only",
      "It maps the object with PROT_READ and shows its first bytes.",
      "the second process's pane: the message, in hex.",
      "The message outlived both processes that wrote and read it.", false },
    { PANE_SECOND, "05-close", "munmap", 2, "unmap and close",
      "munmap and close: UnmapViewOfFile and CloseHandle. On Windows the last CloseHandle "
      "ends the object; here it does not.",
      "the state stays LIVE with nobody using the object.",
      "Nobody maps or holds the object, and it is still LIVE: closing never removes a POSIX "
      "name.", false },
    { PANE_SECOND, "05-close", "shm_unlink", 1, "remove the name",
      "shm_unlink removes the name: POSIX has a call for it, Windows does not. The memory "
      "goes once no process maps the object; none does, so it goes now.",
      "the state: LIVE becomes FREED (a viewer started afterwards finds nothing: WAITING); "
      "/dev/shm no longer lists it.",
      "The name is gone and the memory with it: the viewer has let go too.", true },
    { PANE_SECOND, "05-close", "shm_open", 1, "open it again: ENOENT",
      "Opening the name now fails with ENOENT, and that is the point: the name is gone, as "
      "OpenFileMapping fails after the last CloseHandle.",
      "the second process's pane: expected: ENOENT.",
      "The walkthrough is done, and /dev/shm is as it was.", false },
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
      { "the child got EBADF" } },
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
      { NULL } },
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
      { NULL } },
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
      { NULL, "SIGBUS at" } },
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
      { NULL } },
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
      "removed its object.",
      { NULL, "ENOTRECOVERABLE" } },
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
      { NULL, "moving the stream" } },
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
      { NULL, "first touch (write), fresh object:", "read, pages already in memory:", "pg/fault" } },
};

const int tour_nextras = (int)(sizeof tour_extras / sizeof tour_extras[0]);

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
