/* 01-create.c — step 1 of the walkthrough: create a named shared memory object.
 *
 * The Win32 first process begins with one call:
 *     hMapFile = CreateFileMapping(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE,
 *                                  0, BUF_SIZE, szName);
 * a section backed by the paging file, BUF_SIZE bytes, with a name.  POSIX
 * takes two: shm_open makes the name (a new, empty file in /dev/shm, a
 * tmpfs) and ftruncate gives the object its size.
 *
 * Then this program closes its descriptor and exits, and the object stays:
 * a POSIX name lives until shm_unlink, not until its last handle is closed.
 *
 * Run:   bin/01-create [-n /NAME] [-s SIZE]
 * Look:  ls -l /dev/shm
 * Next:  bin/02-map (or straight to bin/03-copy)
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mmaplab.h"
#include "touch.h"

static const struct ml_prog prog = {
    .name = "01-create",
    .summary = "create a named shared memory object and give it its size",
    .teaches =
        "shm_open(O_CREAT | O_EXCL) makes a name in /dev/shm for an empty object;\n"
        "ftruncate gives it its size.  The object outlives this program: a POSIX\n"
        "name stays until shm_unlink, whoever has it open.",
    .prev = NULL,
    .next = "02-map",
    .win32 = "CreateFileMapping(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, BUF_SIZE, szName)",
    .takes = ML_TAKES_SIZE,
};

int main(int argc, char *argv[])
{
    struct ml_opts o;
    char size[32], free_now[32], all[32];
    unsigned long long avail, total;
    int fd;

    ml_start(&prog, argc, argv, &o);
    ml_human_size((unsigned long long)o.size, size, sizeof size);

    ml_step("create", "make the name %s: a new, empty object in /dev/shm", o.name);
    /* [lesson:create] */
    ml_call("shm_open", "CreateFileMapping(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, BUF_SIZE, szName)",
            "\"%s\", O_CREAT | O_EXCL | O_RDWR, 0600", o.name);
    fd = shm_open(o.name,                    /* szName: "/" and one name, in /dev/shm */
                  O_CREAT | O_EXCL |         /* a new object, or fail: no ERROR_ALREADY_EXISTS */
                  O_RDWR,                    /* PAGE_READWRITE */
                  0600);                     /* this user only: the security attributes */
    if (!ml_result(fd))
        ml_exit(ML_FAILED);
    ml_say("O_EXCL: fail if the name is taken (Win32 would hand back the existing object)");

    ml_call("ftruncate", "CreateFileMapping(..., 0, BUF_SIZE, ...): the size is an argument there",
            "%d, %lld", fd, (long long)o.size);
    if (!ml_result(ftruncate(fd,             /* the object just made */
                             o.size))) {     /* BUF_SIZE: zeros, sparse */
        /* Nothing half-made: an object without its size is taken back. */
        ml_call("shm_unlink", "(none: a failed CreateFileMapping leaves nothing)", "\"%s\"", o.name);
        if (ml_result(shm_unlink(o.name)))
            ml_say("%s removed again; nothing is left behind", o.name);
        ml_exit(ML_FAILED);
    }
    /* [/lesson] */
    /* The size is sparse: set, not given.  Compared with /dev/shm now, so that
     * a size it can never hold is not taken for memory set aside. */
    if (ml_shm_room(&avail, &total) && (unsigned long long)o.size > avail) {
        ml_human_size(avail, free_now, sizeof free_now);
        ml_human_size(total, all, sizeof all);
        ml_say("%s is now %s of zeros, and sparse: no page of it exists until one is touched", o.name, size);
        if ((unsigned long long)o.size > total)
            ml_say("that is more than /dev/shm can ever hold: it is %s in all (%s free now); a "
                   "store past what is free is SIGBUS, so at most %s of this object can ever be written",
                   all, free_now, all);
        else
            ml_say("that is more than /dev/shm has free now (%s of %s): a store past what is free "
                   "is SIGBUS; only posix_fallocate would have asked for the space up front",
                   free_now, all);
    } else {
        ml_say("%s is now %s of zeros; no page is in memory until one is touched", o.name, size);
    }

    ml_step("close", "close the descriptor: the object stays, because it has a name");
    ml_call("close", "(none: CloseHandle of the last handle would destroy a Win32 object)",
            "%d", fd);
    if (!ml_result(close(fd)))
        ml_exit(ML_FAILED);

    ml_next("the object outlives this program: see it with 'ls -l /dev/shm/%s' or "
            "'mmapview %s', then run 02-map -n %s.", o.name + 1, o.name, o.name);
    ml_exit(ML_DONE);
}
