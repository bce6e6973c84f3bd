/* 05-close.c — step 5 of the walkthrough: unmap, close, and remove the name.
 *
 * The Win32 processes end with
 *     UnmapViewOfFile(pBuf);
 *     CloseHandle(hMapFile);
 * and the section is destroyed when its last handle is closed.  A POSIX
 * object has a name that outlives every descriptor: it goes only with
 * shm_unlink.  Even then the memory stays while some process still maps it;
 * it is freed when the last mapping goes.
 *
 * Run:   bin/05-close [-n /NAME]
 * Look:  ls -l /dev/shm: the name is gone
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmaplab.h"

static const struct ml_prog prog = {
    .name = "05-close",
    .summary = "unmap, close and remove the object: the name is gone",
    .teaches =
        "munmap and close end this process's use of the object, as\n"
        "UnmapViewOfFile and CloseHandle do.  Unlike Windows, that does not\n"
        "remove it: shm_unlink removes the name, and the memory is freed once\n"
        "no process maps it or holds it open any more.",
    .prev = "04-open",
    .next = NULL,
    .win32 = "UnmapViewOfFile(pBuf); CloseHandle(hMapFile)",
};

int main(int argc, char *argv[])
{
    struct ml_opts o;
    struct stat st;
    char *p;
    int fd, status = ML_DONE;

    ml_start(&prog, argc, argv, &o);

    ml_step("open", "open %s to take a last look", o.name);
    ml_call("shm_open", "(none: on Windows, once both processes closed their handles, "
            "the object is gone and OpenFileMapping fails)",
            "\"%s\", O_RDWR, 0", o.name);
    fd = shm_open(o.name, O_RDWR, 0);
    if (!ml_result(fd))
        ml_exit(ML_FAILED);
    ml_call("fstat", "(none: both Win32 processes know BUF_SIZE)", "%d, &st", fd);
    if (!ml_result(fstat(fd, &st)))
        ml_exit(ML_FAILED);
    /* Only the bytes it shows are mapped: an object larger than the
     * address space (01-create -s 99999999G) can still be looked at. */
    size_t look = st.st_size < 32 ? (size_t)st.st_size : 32;
    if (look > 0) {
        ml_call("mmap", "(none: the view was mapped in step 2)",
                "NULL, %zu, PROT_READ, MAP_SHARED, %d, 0", look, fd);
        ml_call_range(NULL, look, 0);
        p = mmap(NULL,                       /* any address */
                 look,                       /* only the bytes shown */
                 PROT_READ,                  /* a look: nothing is written */
                 MAP_SHARED, fd,
                 0);                         /* from the first byte */
        if (ml_result_ptr(p)) {
            ml_dump(p, look, 0);
            ml_step("unmap", "remove the view");
            ml_call("munmap", "UnmapViewOfFile(pBuf)", "%p, %zu", (void *)p, look);
            if (!ml_result(munmap(p, look)))
                ml_exit(ML_FAILED);
        } else {
            /* The error is said above: the exit status will say it too. */
            status = ML_FAILED;
            ml_say("it cannot be mapped here; it is removed all the same");
        }
    } else {
        ml_say("the object is empty (0 bytes): there is nothing to map");
    }

    /* [lesson:close] */
    ml_step("close", "close the descriptor: on Windows the last CloseHandle ends the object");
    ml_call("close", "CloseHandle(hMapFile)", "%d", fd);
    if (!ml_result(close(fd)))                                /* CloseHandle */
        ml_exit(ML_FAILED);
    ml_say("%s is still there: closing never removes a POSIX name", o.name);

    ml_step("unlink", "remove the name: POSIX has a call for it, Windows does not");
    ml_call("shm_unlink", "(none: a Win32 object goes with its last handle)", "\"%s\"", o.name);
    if (!ml_result(shm_unlink(o.name)))      /* the name only: a mapping keeps the memory */
        ml_exit(ML_FAILED);
    /* [/lesson] */
    ml_say("the name is gone; the memory is freed once no process maps it or holds it open");

    ml_call("shm_open", "(as OpenFileMapping after the last CloseHandle: ERROR_FILE_NOT_FOUND)",
            "\"%s\", O_RDWR, 0", o.name);
    ml_expect(ENOENT);
    fd = shm_open(o.name, O_RDWR, 0);
    if (ml_result(fd)) {
        /* Someone made the name again in between: not ours to keep open. */
        ml_call("close", "CloseHandle(hMapFile)", "%d", fd);
        if (!ml_result(close(fd)))
            ml_exit(ML_FAILED);
    }

    ml_next("'ls -l /dev/shm' no longer lists %s; run 01-create to start again.", o.name + 1);
    ml_exit(status);
}
