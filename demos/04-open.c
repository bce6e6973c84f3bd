/* 04-open.c — step 4 of the walkthrough: the second process reads the message.
 *
 * The Win32 second process opens the section by name, maps it and shows
 * what it finds:
 *     hMapFile = OpenFileMapping(FILE_MAP_ALL_ACCESS, FALSE, szName);
 *     pBuf = (LPTSTR) MapViewOfFile(hMapFile, FILE_MAP_ALL_ACCESS, 0, 0, BUF_SIZE);
 *     MessageBox(NULL, pBuf, TEXT("Process2"), MB_OK);
 * POSIX: shm_open without O_CREAT, mmap, and the message is simply there.
 * It holds (the MessageBox waiting for OK), so that both processes can be
 * seen mapping the same page at once.
 *
 * Run:   bin/04-open [-n /NAME]   (in a second terminal, while 03-copy holds)
 * Look:  mmapview: two processes, one page, one physical frame
 * Next:  press Enter in both, then bin/05-close
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gone.h"
#include "mmaplab.h"
#include "pages.h"

static const struct ml_prog prog = {
    .name = "04-open",
    .summary = "open the object by name as a second process and read the message",
    .teaches =
        "A second process needs only the name: shm_open without O_CREAT finds\n"
        "the object, mmap(MAP_SHARED) maps the very same page, and the message\n"
        "is there without any copy.  It holds, like the MessageBox of the\n"
        "original, so that both processes can be seen on one page.",
    .prev = "03-copy",
    .next = "05-close",
    .win32 = "OpenFileMapping(FILE_MAP_ALL_ACCESS, FALSE, szName); MapViewOfFile(...); MessageBox(...)",
    .takes = ML_TAKES_HOLD,
};

int main(int argc, char *argv[])
{
    struct ml_opts o;
    struct stat st, now;
    struct ml_users u;
    char shown[1024];
    char *p;
    int fd;

    ml_start(&prog, argc, argv, &o);

    ml_step("open", "open %s by its name: the second process needs nothing else", o.name);
    /* [lesson:open] */
    ml_call("shm_open", "OpenFileMapping(FILE_MAP_ALL_ACCESS, FALSE, szName)",
            "\"%s\", O_RDWR, 0", o.name);
    fd = shm_open(o.name,                    /* OpenFileMapping's lpName */
                  O_RDWR,                    /* FILE_MAP_ALL_ACCESS; no O_CREAT: it must exist */
                  0);                        /* a mode only matters with O_CREAT */
    if (!ml_result(fd))
        ml_exit(ML_FAILED);
    /* [/lesson] */
    ml_call("fstat", "(none: both Win32 processes know BUF_SIZE)", "%d, &st", fd);
    if (!ml_result(fstat(fd, &st)))
        ml_exit(ML_FAILED);
    ml_say("the object is %lld bytes (st_size from fstat)", (long long)st.st_size);

    ml_step("map", "map the same object: the same physical page as the first process");
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

    ml_step("read", "read the message: up to its NUL, or the object's end");
    size_t n = strnlen(p, (size_t)st.st_size), taken;
    /* A long message is cut to fit a line, and the cut is shown. */
    size_t w = ml_escape_some(shown, sizeof shown - 48, p, n, &taken);
    if (taken < n)
        snprintf(shown + w, sizeof shown - w, "... [%zu more bytes not shown]",
                 n - taken);
    ml_call("printf", "MessageBox(NULL, pBuf, TEXT(\"Process2\"), MB_OK) or printf",
            "\"%%s\\n\", pBuf  /* %zu bytes at %p */", n, (void *)p);
    ml_result(printf("%s\n", shown));                         /* MessageBox */
    if (taken < n)
        ml_say("only the first %zu of the message's %zu bytes are shown above; "
               "mmapview %s shows them all", taken, n, o.name);
    if (n == 0)
        ml_say("the object holds no message yet: run 03-copy -n %s first", o.name);
    else if (n == (size_t)st.st_size)
        ml_say("no NUL in the object: the message runs to its end");

    /* Whether a first process maps the object too is looked up, not assumed:
     * this program may run alone (--no-hold, or no 03-copy holding). */
    if (ml_users_of(st.st_dev, st.st_ino, &u) == 0 && u.mappers > 0)
        ml_hold("this is the MessageBox waiting for OK: this process and %d %s "
                "(pid %ld%s) map the page now (mmapview %s shows it)",
                u.mappers, ml_plural(u.mappers, "other", "others"), (long)u.mapper,
                u.mappers > 1 ? " among them" : "", o.name);
    else
        ml_hold("this is the MessageBox waiting for OK: only this process maps the page "
                "now (run 03-copy -n %s in another terminal first to see two)", o.name);

    ml_step("unmap", "remove the view");
    ml_call("munmap", "UnmapViewOfFile(pBuf)", "%p, %lld", (void *)p, (long long)st.st_size);
    if (!ml_result(munmap(p, (size_t)st.st_size)))
        ml_exit(ML_FAILED);
    bool removed = ml_name_removed(fd, &now);
    ml_step("close", "close the descriptor");
    ml_call("close", "CloseHandle(hMapFile)", "%d", fd);
    if (!ml_result(close(fd)))
        ml_exit(ML_FAILED);

    if (removed)
        ml_next("st_nlink was 0: %s was removed while this program held, so no process "
                "can open it by name any more; run 01-create -n %s to start again.",
                o.name, o.name);
    else if (ml_users_of(now.st_dev, now.st_ino, &u) == 0 && u.mappers > 0)
        ml_next("press Enter in the first process too (pid %ld), then run 05-close -n %s: "
                "until then the name and the message stay.", (long)u.mapper, o.name);
    else
        ml_next("run 05-close -n %s to remove the object: until then the name and the "
                "message stay.", o.name);
    ml_exit(ML_DONE);
}
