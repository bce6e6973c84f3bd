/* 06-inherit.c — "If a child process is created, it inherits the handle."
 *
 * fork copies the whole process: the child has the descriptor and the
 * MAP_SHARED view, and what it writes the parent reads.  exec is where the
 * Win32 question arises, since the new program knows only its command line:
 * shm_open sets FD_CLOEXEC, so the descriptor is closed by exec (the child
 * gets EBADF) until fcntl clears the flag.  The exec'd child is this program
 * again, given the number and the object's device:inode, as Windows passes
 * an inherited handle's value; fstat proves the number is really the object.
 * Last, MAP_SHARED|MAP_ANONYMOUS: memory with no name, shared only by fork.
 *
 * Run:   bin/06-inherit [-n /NAME]     (holds at the end until Enter)
 * Look:  /proc/PID/fdinfo/FD (flags), /proc/PID/maps (/dev/zero (deleted))
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "child.h"
#include "made.h"
#include "mmaplab.h"
#include "touch.h"

enum { OPT_CHILD = 256, OPT_EXPECT_CLOSED };
static const char *child_spec;            /* "FD:DEV:INO" in the exec'd child */
static bool expect_closed;

static const struct ml_option opts[] = {
    { "child", OPT_CHILD, "FD:DEV:INO", "(the exec'd child: check descriptor FD is that object)",
      .kind = ML_TEXT, .to = &child_spec },
    { "expect-closed", OPT_EXPECT_CLOSED, NULL, "(with --child: exec should have closed it)",
      .kind = ML_FLAG, .to = &expect_closed },
    { .name = NULL },
};

static const struct ml_prog prog = {
    .name = "06-inherit",
    .summary = "a child inherits the descriptor and the mapping: fork, exec, FD_CLOEXEC",
    .teaches =
        "fork: the child shares the parent's MAP_SHARED view.  exec: shm_open set\n"
        "FD_CLOEXEC, so the descriptor does not survive until the flag is cleared.\n"
        "MAP_SHARED|MAP_ANONYMOUS: memory with no name, shared only by inheritance.",
    .prev = "05-close", .next = "07-file-pages",
    .win32 = "SECURITY_ATTRIBUTES.bInheritHandle = TRUE; CreateProcess(..., bInheritHandles = TRUE, ...)",
    .takes = ML_TAKES_HOLD, .own = opts,
};

/* The exec'd child: is descriptor fd the object the parent named? */
static void child(void)
{
    unsigned long long dev, ino;
    struct stat st;
    int fd, n = -1;

    if (sscanf(child_spec, "%d:%llu:%llu%n", &fd, &dev, &ino, &n) != 3 ||
        child_spec[n] != '\0' || fd < 0) {
        ml_error("--child wants FD:DEV:INO, such as 4:25:1234, not '%s'", child_spec);
        ml_exit(ML_USAGE);
    }
    ml_step("inherit", "the exec'd child knows only the number %d from its command line", fd);
    ml_call("fstat", "MapViewOfFile((HANDLE)value, ...) on the value from the command line", "%d, &st", fd);
    if (expect_closed)
        ml_expect(EBADF);
    if (!ml_result(fstat(fd, &st)))
        ml_exit(ml_failed_as_expected() ? ML_DONE : ML_FAILED);
    if (st.st_dev != dev || st.st_ino != ino) {   /* a reused number must not pass */
        ml_say("descriptor %d is open, but it is %llu:%llu, not the object %llu:%llu: the "
               "number was reused, nothing was inherited", fd, (unsigned long long)st.st_dev,
               (unsigned long long)st.st_ino, dev, ino);
        ml_exit(expect_closed ? ML_DONE : ML_FAILED);
    }
    if (expect_closed) {
        ml_error("descriptor %d survived exec although FD_CLOEXEC was set", fd);
        ml_exit(ML_FAILED);
    }
    ml_say("descriptor %d is the object (%llu:%llu): it survived exec", fd, dev, ino);
    ml_call("mmap", "MapViewOfFile(hInherited, FILE_MAP_ALL_ACCESS, 0, 0, 0)",
            "NULL, %lld, PROT_READ | PROT_WRITE, MAP_SHARED, %d, 0", (long long)st.st_size, fd);
    char *p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED,
                   fd,                 /* the inherited number */
                   0);
    ml_must(ml_result_ptr(p));
    ml_say("the parent left: \"%.100s\"; the child replies at offset 128", p);
    snprintf(p + 128, 128, "reply from exec'd child %ld", (long)getpid());   /* CopyMemory */
    ml_hold("the child holds the inherited descriptor: ls -l /proc/%ld/fd/%d", (long)getpid(), fd);
    ml_exit(ML_DONE);
}

/* fork, and exec this program in the child with --child FD:DEV:INO (and
 * --expect-closed when exec should have closed fd), the parent's options
 * after; then wait for its verdict. */
static void exec_child(char *p, int fd, const struct stat *st, bool closed, int argc, char *argv[])
{
    struct ml_link go;                       /* the child speaks after the parent's fork line */
    char spec[80], *cargv[argc + 4];
    int n = 0;

    snprintf(p, 128, "written by the parent before exec %d", closed ? 1 : 2);
    snprintf(spec, sizeof spec, "%d:%llu:%llu", fd, (unsigned long long)st->st_dev,
             (unsigned long long)st->st_ino);
    cargv[n++] = argv[0], cargv[n++] = "--child", cargv[n++] = spec;
    if (closed)
        cargv[n++] = "--expect-closed";
    for (int i = 1; i <= argc; i++)          /* the parent's options, and the NULL */
        cargv[n++] = argv[i];
    ml_link_open(&go);
    ml_call("fork", "CreateProcess(NULL, \"inherit.exe --child <value>\", NULL, NULL, "
            "bInheritHandles = TRUE, ...)", "%s", "");
    pid_t pid = fork();
    if (pid == 0) {
        ml_link_child(&go);
        execv("/proc/self/exe",              /* this program again, as a new image */
              cargv);                        /* --child FD:DEV:INO: the number, as Win32 passes a handle */
        _exit(127);
    }
    ml_must(ml_result(pid));
    ml_link_parent(&go);
    if (closed)
        ml_say("the child calls execv(\"/proc/self/exe\", { \"%s\", \"--child\", \"%s\", "
               "\"--expect-closed\", ... })", argv[0], spec);
    else
        ml_say("the child calls execv(\"/proc/self/exe\", { \"%s\", \"--child\", \"%s\", ... })",
               argv[0], spec);
    ml_link_go(&go);
    ml_link_close(&go);
    ml_reap_ok(pid, "the exec'd child");
}

int main(int argc, char *argv[])
{
    struct ml_opts o;
    struct stat st;
    long ps = sysconf(_SC_PAGESIZE);
    int fd, e;
    pid_t pid;

    ml_start(&prog, argc, argv, &o);
    if (child_spec)
        child();

    ml_step("create", "a named object of one page, mapped shared");
    ml_call("shm_open", "CreateFileMapping(INVALID_HANDLE_VALUE, &sa, PAGE_READWRITE, 0, 4096, szName)",
            "\"%s\", O_CREAT | O_EXCL | O_RDWR, 0600", o.name);
    fd = shm_open(o.name,
                  O_CREAT | O_EXCL | O_RDWR, /* a new object; and FD_CLOEXEC, always */
                  0600);
    ml_must(ml_result(fd));
    ml_made_shm(o.name);
    ml_call("ftruncate", "(the size is CreateFileMapping's argument)", "%d, %ld", fd, ps);
    ml_must(ml_result(ftruncate(fd, ps)));
    if (fstat(fd, &st) == -1)                /* its identity, for the exec'd child to check */
        ml_fail_errno("fstat");
    /* The size is not the page: on a full /dev/shm the children's first
     * store would be SIGBUS.  The page is had now, or the run stops here. */
    ml_call("posix_fallocate", "(none: CreateFileMapping commits the section's pages)",
            "%d, 0, %ld", fd, ps);
    e = posix_fallocate(fd, 0,               /* from the first byte */
                        ps);                 /* the whole page, had now */
    if (!ml_result_err(e))
        ml_stop_without_room(e, "the object's page must be in /dev/shm before a child writes to it");
    ml_call("mmap", "MapViewOfFile(hMapFile, FILE_MAP_ALL_ACCESS, 0, 0, 4096)",
            "NULL, %ld, PROT_READ | PROT_WRITE, MAP_SHARED, %d, 0", ps, fd);
    char *p = mmap(NULL, (size_t)ps, PROT_READ | PROT_WRITE,
                   MAP_SHARED,               /* a fork'd child shares it, not a copy */
                   fd, 0);
    ml_must(ml_result_ptr(p));
    /* [lesson:cloexec] */
    ml_call("fcntl", "GetHandleInformation(hMapFile, &flags): HANDLE_FLAG_INHERIT", "%d, F_GETFD", fd);
    ml_must(ml_result(fcntl(fd, F_GETFD)));
    ml_say("1 is FD_CLOEXEC: shm_open makes descriptors that exec closes");
    /* [/lesson] */

    ml_step("fork", "fork: the child is a copy, with the descriptor and the view");
    ml_call("fork", "(none: Windows has no fork; CreateProcess with inheritance is nearest)", "%s", "");
    pid = fork();
    if (pid == 0) {
        snprintf(p, 128, "written by forked child %ld", (long)getpid());   /* CopyMemory */
        ml_exit(ML_DONE);
    }
    ml_must(ml_result(pid));
    ml_reap_ok(pid, "the forked child");
    ml_say("the parent reads through its own view: \"%s\"", p);

    for (int round = 0; round < 2; round++) {
        ml_step("exec", round ? "exec after clearing FD_CLOEXEC: the number is the object"
                              : "exec with FD_CLOEXEC still set: exec closes the descriptor");
        if (round) {
            /* [lesson:inherit] */
            ml_call("fcntl", "SetHandleInformation(hMapFile, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT)",
                    "%d, F_SETFD, 0", fd);
            ml_must(ml_result(fcntl(fd,
                                   F_SETFD,  /* the descriptor's own flags */
                                   0)));     /* FD_CLOEXEC off: exec keeps it */
            /* [/lesson] */
        }
        exec_child(p, fd, &st, !round, argc, argv);
        ml_say(round ? "the parent reads the child's reply: \"%s\""
                     : "the child got EBADF, as it should: nothing crossed exec%s", round ? p + 128 : "");
    }

    ml_step("anonymous", "MAP_SHARED | MAP_ANONYMOUS: no name, no descriptor, shared by fork only");
    ml_call("mmap", "CreateFileMapping(INVALID_HANDLE_VALUE, &sa, PAGE_READWRITE, 0, 4096, NULL)",
            "NULL, %ld, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0", ps);
    char *a = mmap(NULL, (size_t)ps, PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS,   /* zeros with no name: only a fork'd child sees them */
                   -1,                           /* no descriptor */
                   0);
    ml_must(ml_result_ptr(a));
    ml_call("fork", "CreateProcess(..., bInheritHandles = TRUE, ...)", "%s", "");
    pid = fork();
    if (pid == 0) {
        snprintf(a, 128, "anonymous page, written by child %ld", (long)getpid());
        _exit(0);
    }
    ml_must(ml_result(pid));
    ml_reap_ok(pid, "the child of the anonymous mapping");
    ml_say("the parent reads: \"%s\"; no other process can open this memory", a);

    ml_hold("both views are mapped: /proc/%ld/maps shows /dev/shm%s and /dev/zero (deleted); "
            "/proc/%ld/fdinfo/%d has no O_CLOEXEC now", (long)getpid(), o.name, (long)getpid(), fd);
    ml_step("unlink", "unmap, close and remove the name");
    ml_call("munmap", "UnmapViewOfFile(pAnonymous)", "%p, %ld", (void *)a, ps);
    ml_must(ml_result(munmap(a, (size_t)ps)));
    ml_call("munmap", "UnmapViewOfFile(pBuf)", "%p, %ld", (void *)p, ps);
    ml_must(ml_result(munmap(p, (size_t)ps)));
    ml_call("close", "CloseHandle(hMapFile)", "%d", fd);
    ml_must(ml_result(close(fd)));
    ml_call("shm_unlink", "(none: the last CloseHandle removes a Win32 object)", "\"%s\"", o.name);
    ml_must(ml_result(shm_unlink(o.name)));
    ml_made_done();
    ml_next("07-file-pages: two processes mapping one file share its physical pages.");
    ml_exit(ML_DONE);
}
