/* 03-copy.c — step 3 of the walkthrough: copy a message into the view, and wait.
 *
 * The Win32 first process copies its message into the view and waits for a
 * key, keeping the object alive while the second process reads it:
 *     CopyMemory((PVOID)pBuf, szMsg, (_tcslen(szMsg) * sizeof(TCHAR)));
 *     _getch();
 * Here the message goes in with memcpy, NUL included, and the program holds
 * until Enter.  The bytes are in the object's page, not in this process:
 * any process that maps the object sees them at once.
 *
 * Run:   bin/03-copy [-n /NAME] [-m TEXT]     (holds until Enter)
 * Then:  bin/04-open in a second terminal, while this one holds
 */
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gone.h"
#include "mmaplab.h"
#include "pages.h"
#include "touch.h"

static const struct ml_prog prog = {
    .name = "03-copy",
    .summary = "map the object and copy a message into it, then hold",
    .teaches =
        "A store through a shared mapping goes into the object's page itself:\n"
        "every process mapping the object sees it, with no copy and no call.\n"
        "The program holds (like _getch() in the original) so that a second\n"
        "process can read the message while the first still maps it.",
    .prev = "02-map",
    .next = "04-open",
    .win32 = "CopyMemory((PVOID)pBuf, szMsg, (_tcslen(szMsg) * sizeof(TCHAR))); _getch()",
    .takes = ML_TAKES_MESSAGE | ML_TAKES_HOLD,
};

int main(int argc, char *argv[])
{
    struct ml_opts o;
    struct stat st, now;
    char *p, room[128];
    void *fault;
    int fd;

    ml_start(&prog, argc, argv, &o);
    size_t len = strlen(o.message) + 1;      /* the NUL too: see below */

    ml_step("open", "open %s by its name", o.name);
    ml_call("shm_open", "(none: the Win32 first process still holds hMapFile)",
            "\"%s\", O_RDWR, 0", o.name);
    fd = shm_open(o.name,                    /* the name 01-create made */
                  O_RDWR,                    /* to map it writable; no O_CREAT: it must exist */
                  0);                        /* a mode only matters with O_CREAT */
    if (!ml_result(fd))
        ml_exit(ML_FAILED);
    ml_call("fstat", "(none: both Win32 processes know BUF_SIZE)", "%d, &st", fd);
    if (!ml_result(fstat(fd, &st)))
        ml_exit(ML_FAILED);
    if ((off_t)len > st.st_size) {
        ml_error("the message is %zu bytes with its NUL, and %s holds only %lld: "
                 "use a shorter -m, or make a bigger object (05-close, then "
                 "01-create -s SIZE)", len, o.name, (long long)st.st_size);
        ml_exit(ML_USAGE);
    }

    ml_step("map", "map a shared view of the whole object");
    ml_call("mmap", "MapViewOfFile(hMapFile, FILE_MAP_ALL_ACCESS, 0, 0, BUF_SIZE)",
            "NULL, %lld, PROT_READ | PROT_WRITE, MAP_SHARED, %d, 0", (long long)st.st_size, fd);
    ml_call_range(NULL, (size_t)st.st_size, 0);
    p = mmap(NULL,                           /* the kernel chooses the address */
             (size_t)st.st_size,             /* the whole object: BUF_SIZE */
             PROT_READ | PROT_WRITE,         /* FILE_MAP_ALL_ACCESS */
             MAP_SHARED,                     /* stores reach the object, and every other view */
             fd,                             /* hMapFile */
             0);                             /* from the object's first byte */
    if (!ml_result_ptr(p))                                    /* MapViewOfFile */
        ml_exit(ML_FAILED);

    ml_step("copy", "copy the message into the view: %zu bytes, its NUL included", len);
    /* [lesson:copy] */
    ml_call("memcpy", "CopyMemory((PVOID)pBuf, szMsg, (_tcslen(szMsg) * sizeof(TCHAR)))",
            "%p, \"%s\", %zu", (void *)p, o.message, len);
    ml_call_range(p, len, 0);
    if (!ml_probe(p, len, &fault)) {        /* a full /dev/shm: see touch.h */
        ml_error("SIGBUS at %p: the message needs a page of /dev/shm and there is none to "
                 "have (%s); nothing was copied and %s is as it was: free some space "
                 "(mmaplab clean removes mmaplab's objects) and run 03-copy again",
                 fault, ml_shm_room_words(room, sizeof room), o.name);
        ml_exit(ML_FAILED);
    }
    memcpy(p,                      /* the view: pBuf */
           o.message,              /* szMsg, with its NUL */
           len);                   /* bytes: (_tcslen(szMsg) + 1) * sizeof(TCHAR) */
    ml_returned_ptr(p);            /* memcpy cannot fail: it returns its destination */
    /* [/lesson] */
    ml_dump(p, len < 64 ? len : 64, 0);
    ml_say("the NUL ends the message even when a longer one was there before "
           "(the original copies no NUL and relies on a fresh, zeroed page)");

    ml_hold("the first process keeps the view while the second reads it (the "
            "_getch() of the original): run 04-open -n %s in another terminal", o.name);

    ml_step("unmap", "remove the view, after a look at what became of the object");
    /* Someone may have removed the name while this program held: look
     * before saying what stays. */
    bool removed = ml_name_removed(fd, &now);
    ml_call("munmap", "UnmapViewOfFile(pBuf)", "%p, %lld", (void *)p, (long long)st.st_size);
    if (!ml_result(munmap(p, (size_t)st.st_size)))
        ml_exit(ML_FAILED);
    if (!removed)
        ml_step("close", "close the descriptor; the name still stands");
    else
        ml_step("close", "close the descriptor; the name was removed while this program held");
    ml_call("close", "CloseHandle(hMapFile)", "%d", fd);
    if (!ml_result(close(fd)))
        ml_exit(ML_FAILED);

    if (!removed) {
        ml_next("the message outlives this program too: 04-open -n %s still reads it, "
                "and 05-close -n %s removes the object.", o.name, o.name);
        ml_exit(ML_DONE);
    }
    ml_say_name_removed(o.name, &now);
    ml_next("04-open -n %s would find no object now: run 01-create -n %s to start again.",
            o.name, o.name);
    ml_exit(ML_DONE);
}
