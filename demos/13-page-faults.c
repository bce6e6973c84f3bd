/* 13-page-faults.c — what a page costs when it is first touched.
 *
 * "A mapping costs nothing until it is touched" (02, 09): here is the bill.
 * Each first store to a page of a fresh object is a page fault: the kernel
 * allocates a zeroed page and maps it.  Win32 pays the same way for a
 * committed page of a section (VirtualAlloc(MEM_COMMIT) promises the page;
 * the first touch brings it); VirtualLock pays ahead, faulting every page
 * of a range into the working set, and PrefetchVirtualMemory asks for a
 * range to be read in ahead of use.  This program measures, with getrusage's minor fault count
 * and the clock, one phase at a time:
 *   first touch (write) of a fresh object;
 *   a second process touching the pages the first already allocated;
 *   a read through a new view (fault-around: many pages per fault);
 *   MAP_POPULATE and MADV_POPULATE_WRITE (the faults taken in the call);
 *   huge pages, on a private tmpfs mounted huge=always (CAP_SYS_ADMIN).
 *
 * Run:   bin/13-page-faults [-n /NAME] [-b 256M]
 * Look:  while it holds, minflt (field 10) of /proc/PID/stat, and Rss
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "faultcost.h"
#include "made.h"
#include "mmaplab.h"
#include "pages.h"

static off_t bytes = 256 << 20;

static const struct ml_option opts[] = {
    { "bytes", 'b', "SIZE", "how much each phase touches (default 256M)",
      .kind = ML_SIZE, .to = &bytes },
    { .name = NULL },
};

static const struct ml_prog prog = {
    .name = "13-page-faults",
    .summary = "what a page costs at its first touch: faults, populate, fault-around, huge pages",
    .teaches =
        "The first store to each page of a fresh object is a minor fault: a page is\n"
        "allocated and mapped.  MAP_POPULATE and MADV_POPULATE_WRITE take the faults\n"
        "in one call; a second process only maps what exists; a read maps up to 16\n"
        "pages a fault; a huge page is one fault for 512 pages.",
    .prev = "12-channels", .next = NULL,
    .win32 = "VirtualAlloc(MEM_COMMIT) + first touch; VirtualLock; SEC_LARGE_PAGES",
    .takes = ML_TAKES_HOLD, .own = opts,
};


/* Run phase in a child, which sends its row back through a pipe; the row
 * is the child's own getrusage, not the parent's. */
static void in_child(void (*phase)(const char *, size_t, struct fc_row *),
                     const char *name, size_t n, struct fc_row *row)
{
    int fds[2], status;

    ml_must(pipe(fds) == 0);
    fflush(stdout);
    pid_t pid = fork();
    ml_must(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        phase(name, n, row);
        ml_exit(write(fds[1], row, sizeof *row) == (ssize_t)sizeof *row ? ML_DONE : ML_FAILED);
    }
    close(fds[1]);
    ssize_t got = read(fds[0], row, sizeof *row);
    close(fds[0]);
    ml_must(waitpid(pid, &status, 0) == pid);
    if (got != (ssize_t)sizeof *row || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        ml_error("the child of this phase stopped before it sent its numbers (status %d)", status);
        ml_exit(ML_FAILED);
    }
}

/* The second process: opens the object by its name and stores into every
 * page, which the first process allocated. */
static void second(const char *name, size_t n, struct fc_row *row)
{
    struct fc_mark m;
    int fd;

    ml_call("shm_open", "OpenFileMapping(FILE_MAP_ALL_ACCESS, FALSE, szName)",
            "\"%s\", O_RDWR, 0 /* in the child, pid %ld */", name, (long)getpid());
    ml_must(ml_result(fd = shm_open(name, O_RDWR, 0)));
    ml_call("mmap", "MapViewOfFile(hMapFile, FILE_MAP_ALL_ACCESS, 0, 0, size)",
            "NULL, %zu, PROT_READ | PROT_WRITE, MAP_SHARED, %d, 0", n, fd);
    ml_call_range(NULL, n, 0);
    char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    ml_must(ml_result_ptr(p));
    fc_begin(&m);
    fc_write_each(p, n);
    fc_end(&m, row, n, "second process, stores into allocated pages");
    fc_show(row);
}

/* Huge pages: on a tmpfs of this child's own, mounted huge=always over
 * /dev/shm in a mount namespace of its own (as 09-reserve-grow's full
 * tmpfs), the object is made of 2 MiB pages where memory allows. */
static void huge(const char *name, size_t n, struct fc_row *row)
{
    char opts[96];
    struct fc_mark m;
    int fd;

    /* Nothing is made unless the private tmpfs is there: a refusal (a
     * container's rule, say) skips the phase, and the shared /dev/shm is
     * never written. */
    ml_call("unshare", "(none: Windows has no mount namespaces)", "CLONE_NEWNS");
    if (!ml_result(unshare(CLONE_NEWNS))) {
        fc_skip(row, "unshare(CLONE_NEWNS) was refused: no mount namespace of its own here");
        return;
    }
    ml_call("mount", "(none)", "NULL, \"/dev/shm\", NULL, MS_REC | MS_PRIVATE, NULL");
    if (!ml_result(mount(NULL, "/dev/shm", NULL, MS_REC | MS_PRIVATE, NULL))) {
        fc_skip(row, "/dev/shm's mount could not be made private here");
        return;
    }
    snprintf(opts, sizeof opts, "size=%zu,huge=always,mode=1777", n);
    ml_call("mount", "(none: SEC_LARGE_PAGES, with SeLockMemoryPrivilege)",
            "\"tmpfs\", \"/dev/shm\", \"tmpfs\", 0, \"%s\"", opts);
    int rc = mount("tmpfs", "/dev/shm", "tmpfs", 0, opts), err = errno;
    if (!ml_result(rc)) {
        fc_skip(row, err == EINVAL ? "this kernel's tmpfs refuses huge=always (EINVAL: built "
                                     "without transparent huge pages)"
                                   : "the kernel refused the private tmpfs");
        return;
    }
    ml_call("shm_open", "(none)", "\"%s\", O_CREAT | O_EXCL | O_RDWR, 0600 /* on the huge tmpfs */", name);
    ml_must(ml_result(fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600)));
    ml_call("ftruncate", "(none)", "%d, %zu", fd, n);
    ml_must(ml_result(ftruncate(fd, (off_t)n)));
    ml_call("mmap", "MapViewOfFile(hMapFile, FILE_MAP_ALL_ACCESS | FILE_MAP_LARGE_PAGES, 0, 0, size)",
            "NULL, %zu, PROT_READ | PROT_WRITE, MAP_SHARED, %d, 0", n, fd);
    ml_call_range(NULL, n, 0);
    char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    ml_must(ml_result_ptr(p));
    fc_begin(&m);
    fc_write_each(p, n);
    fc_end(&m, row, n, "huge pages, stores into a fresh object");
    fc_show(row);
}   /* the tmpfs, the object and the namespace go with this child */

/* Huge pages where this process may mount a tmpfs of its own; else why not. */
static void huge_pages(const char *name, size_t n, struct fc_row *row)
{
    size_t hn = (n + (2u << 20) - 1) / (2u << 20) * (2u << 20);

    if (!ml_may_mount())
        fc_skip(row, "mounting a tmpfs of its own needs CAP_SYS_ADMIN (run as root); the "
                     "shared /dev/shm's huge pages are the administrator's setting");
    else if (!ml_is_mount_point("/dev/shm"))
        fc_skip(row, "/dev/shm is not a mount point here, so its mount cannot be made private "
                     "to this program, and no tmpfs is mounted over the shared one");
    else
        in_child(huge, name, hn, row);
}

int main(int argc, char *argv[])
{
    struct ml_opts o;
    struct fc_row rows[FC_ROWS] = { 0 };
    struct fc_mark m;
    size_t n;
    int fd;

    ml_start(&prog, argc, argv, &o);
    n = fc_check_size(bytes);          /* whole pages, room in /dev/shm; or exits */

    ml_step("create", "a fresh object of %zu bytes: no page of it exists yet", n);
    ml_call("shm_open", "CreateFileMapping(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE | SEC_RESERVE, 0, size, szName)",
            "\"%s\", O_CREAT | O_EXCL | O_RDWR, 0600", o.name);
    ml_must(ml_result(fd = shm_open(o.name, O_CREAT | O_EXCL | O_RDWR, 0600)));   /* CreateFileMapping */
    ml_made_shm(o.name);
    ml_call("ftruncate", "(the section's size)", "%d, %zu", fd, n);
    ml_must(ml_result(ftruncate(fd, (off_t)n)));                  /* its dwMaximumSize */
    ml_call("mmap", "MapViewOfFile(hMapFile, FILE_MAP_ALL_ACCESS, 0, 0, size)",
            "NULL, %zu, PROT_READ | PROT_WRITE, MAP_SHARED, %d, 0", n, fd);
    ml_call_range(NULL, n, 0);
    char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);   /* MapViewOfFile */
    ml_must(ml_result_ptr(p));
    ml_hold("mapped, nothing touched: Rss of the view is 0; minflt is field 10 of /proc/%ld/stat",
            (long)getpid());

    /* [lesson:first-touch] */
    ml_step("first-touch", "store into every page: each first store is a fault");
    fc_begin(&m);
    fc_write_each(p, n);                       /* VirtualAlloc(MEM_COMMIT) + a store */
    fc_end(&m, &rows[FC_FIRST], n, "first touch (write), fresh object");
    fc_show(&rows[FC_FIRST]);
    /* [/lesson] */
    ml_hold("every page touched: Rss is the whole object, minflt has grown by about %zu",
            n / fc_page());

    ml_step("second", "a second process maps the object and stores into every page, now allocated");
    in_child(second, o.name, n, &rows[FC_SECOND]);   /* CreateProcess */

    /* [lesson:read] */
    ml_step("read", "a new read-only view of the same pages; read one byte of each");
    ml_call("mmap", "MapViewOfFile(hMapFile, FILE_MAP_READ, 0, 0, size)",
            "NULL, %zu, PROT_READ, MAP_SHARED, %d, 0", n, fd);
    ml_call_range(NULL, n, 0);
    char *r = mmap(NULL, n, PROT_READ, MAP_SHARED, fd, 0);        /* MapViewOfFile(FILE_MAP_READ) */
    ml_must(ml_result_ptr(r));
    fc_begin(&m);
    fc_read_each(r, n);
    fc_end(&m, &rows[FC_READ], n, "read, pages already in memory");
    fc_show(&rows[FC_READ]);
    /* [/lesson] */
    ml_hold("two views of the object now, the read-only one mapped about %ld pages a fault; the "
            "second process has ended (its faults are in cminflt, field 11 of /proc/%ld/stat)",
            rows[FC_READ].faults > 0 ? rows[FC_READ].pages / rows[FC_READ].faults : 0L, (long)getpid());
    ml_call("munmap", "UnmapViewOfFile(pView)", "%p, %zu", (void *)r, n);
    ml_must(ml_result(munmap(r, n)));

    ml_step("empty", "unmap, and cut the object to 0 and back: its pages are freed, it is fresh again");
    ml_call("munmap", "UnmapViewOfFile(pBuf)", "%p, %zu", (void *)p, n);
    ml_must(ml_result(munmap(p, n)));
    fc_refresh(fd, n);

    /* [lesson:populate] */
    ml_step("populate", "map with MAP_POPULATE: every page is faulted in by mmap itself");
    ml_call("mmap", "MapViewOfFile + VirtualLock(pBuf, size): every page faulted in by the call",
            "NULL, %zu, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, %d, 0", n, fd);
    ml_call_range(NULL, n, 0);
    fc_begin(&m);
    p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);   /* + VirtualLock */
    fc_end(&m, &rows[FC_POPULATE], n, "MAP_POPULATE, inside mmap");
    ml_must(ml_result_ptr(p));
    fc_show(&rows[FC_POPULATE]);
    fc_touch_after(p, n, &rows[FC_POPULATE]);
    /* [/lesson] */
    ml_call("munmap", "UnmapViewOfFile(pBuf)", "%p, %zu", (void *)p, n);
    ml_must(ml_result(munmap(p, n)));
    fc_refresh(fd, n);

    ml_step("madvise", "map, then MADV_POPULATE_WRITE (Linux 5.14): faults taken in one call, writable");
    ml_call("mmap", "MapViewOfFile(hMapFile, FILE_MAP_ALL_ACCESS, 0, 0, size)",
            "NULL, %zu, PROT_READ | PROT_WRITE, MAP_SHARED, %d, 0", n, fd);
    ml_call_range(NULL, n, 0);
    p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    ml_must(ml_result_ptr(p));
    ml_call("madvise", "VirtualLock(pBuf, size) (which also locks them); PrefetchVirtualMemory only reads ahead",
            "%p, %zu, MADV_POPULATE_WRITE", (void *)p, n);
    fc_begin(&m);
    int rc = madvise(p, n, MADV_POPULATE_WRITE);                  /* VirtualLock */
    fc_end(&m, &rows[FC_MADVISE], n, "MADV_POPULATE_WRITE, inside madvise");
    if (rc == -1 && errno == EINVAL) {
        ml_result(rc);
        fc_skip(&rows[FC_MADVISE], "this kernel lacks MADV_POPULATE_WRITE (EINVAL: Linux 5.14 added it)");
    } else {
        ml_must(ml_result(rc));
        fc_show(&rows[FC_MADVISE]);
        fc_touch_after(p, n, &rows[FC_MADVISE]);
    }
    ml_call("munmap", "UnmapViewOfFile(pBuf)", "%p, %zu", (void *)p, n);
    ml_must(ml_result(munmap(p, n)));

    ml_step("unlink", "close and remove the object");
    ml_call("close", "CloseHandle(hMapFile)", "%d", fd);
    ml_must(ml_result(close(fd)));
    ml_call("shm_unlink", "(none: the last CloseHandle removes a Win32 object)", "\"%s\"", o.name);
    ml_must(ml_result(shm_unlink(o.name)));
    ml_made_done();

    ml_step("huge", "huge pages: a private tmpfs mounted huge=always, in a child of its own");
    huge_pages(o.name, n, &rows[FC_HUGE]);   /* Win32: SEC_LARGE_PAGES + SeLockMemoryPrivilege */

    ml_step("table", "what each way of getting %zu pages cost", n / fc_page());
    fc_table(rows, FC_ROWS);
    ml_next("run it again with -b 1G, and compare the faults of each phase with minflt in "
            "/proc/PID/stat; lessons/13-page-faults.md says why each row is what it is.");
    ml_exit(ML_DONE);
}
