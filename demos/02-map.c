/* 02-map.c — step 2 of the walkthrough: map a view of the object.
 *
 * The Win32 first process maps a view of the section it created:
 *     pBuf = (LPTSTR) MapViewOfFile(hMapFile, FILE_MAP_ALL_ACCESS, 0, 0, BUF_SIZE);
 * POSIX opens the object by name and maps it with mmap(MAP_SHARED): every
 * process that maps it shared sees the same pages.  Mapping costs no memory
 * by itself; a page arrives when it is first touched.
 *
 * Run:   bin/01-create, then bin/02-map [-n /NAME]   (holds until Enter)
 * Look:  grep /dev/shm /proc/PID/maps, or mmapview, while it holds
 * Next:  bin/03-copy
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gone.h"
#include "mmaplab.h"
#include "pages.h"

static const struct ml_prog prog = {
    .name = "02-map",
    .summary = "open the object by name and map a shared view of it",
    .teaches =
        "mmap(MAP_SHARED) puts the object's pages into this process's address\n"
        "space.  It holds so you can see the mapping in /proc/PID/maps and see\n"
        "that no page is resident until something touches it.",
    .prev = "01-create",
    .next = "03-copy",
    .win32 = "MapViewOfFile(hMapFile, FILE_MAP_ALL_ACCESS, 0, 0, BUF_SIZE)",
    .takes = ML_TAKES_HOLD,
};

int main(int argc, char *argv[])
{
    struct ml_opts o;
    struct stat st, now;
    char *p;
    int fd;

    ml_start(&prog, argc, argv, &o);

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
    ml_say("st_size = %lld: the view will cover the whole object", (long long)st.st_size);

    ml_step("map", "map a shared view: the same pages any other mapper sees");
    /* [lesson:map] */
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
    /* [/lesson] */
    ml_say("the view is at %p; nothing has touched it, so no page is resident yet", (void *)p);

    ml_hold("the view stays mapped while this program waits: look for %s in "
            "/proc/%ld/maps, or watch it with mmapview %s", o.name, (long)getpid(), o.name);

    ml_step("unmap", "remove the view from this process");
    ml_call("munmap", "UnmapViewOfFile(pBuf)", "%p, %lld", (void *)p, (long long)st.st_size);
    if (!ml_result(munmap(p, (size_t)st.st_size)))
        ml_exit(ML_FAILED);
    /* Someone may have removed the name while this program held: look
     * before saying what stays. */
    bool removed = ml_name_removed(fd, &now);
    if (!removed)
        ml_step("close", "close the descriptor; the object and its name stay");
    else
        ml_step("close", "close the descriptor of an object whose name is gone");
    ml_call("close", "CloseHandle(hMapFile)", "%d", fd);
    if (!ml_result(close(fd)))
        ml_exit(ML_FAILED);
    if (!removed) {
        ml_next("run 03-copy -n %s to put a message into the object.", o.name);
        ml_exit(ML_DONE);
    }
    ml_say_name_removed(o.name, &now);
    ml_next("the name is gone: run 01-create -n %s to start again.", o.name);
    ml_exit(ML_DONE);
}
