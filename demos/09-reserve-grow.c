/* 09-reserve-grow.c — "Resize them, sort of": reserve a view, grow the object.
 *
 * Win32 reserves address space with CreateFileMapping(SEC_RESERVE) and
 * commits pages later with VirtualAlloc(MEM_COMMIT).  POSIX: map a view far
 * larger than the object (1 GiB over one page), then grow the object with
 * ftruncate.  A reservation costs no memory: Rss and minor faults grow with
 * the pages touched.  A page past the object's end raises SIGBUS (Win32:
 * an access violation on an uncommitted page); so does a page cut off by
 * shrinking.  Space: posix_fallocate asks for it up front (ENOSPC at once);
 * ftruncate's growth is sparse, so a full tmpfs shows up later, as SIGBUS.
 *
 * Run:   bin/09-reserve-grow [-n /NAME] [-r 1G] [-g 1M] [--steps 4]
 * Look:  while it holds, the Size and Rss of its view in /proc/PID/smaps
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "child.h"
#include "made.h"
#include "mmaplab.h"
#include "pages.h"
#include "touch.h"

#define LESS "a smaller -g or --steps"   /* what to ask for when a page cannot be had */

static off_t reserve = 1 << 30, grow = 1 << 20;
static long long steps = 4;
static void *bus_addr;                    /* where the last SIGBUS struck */

static const struct ml_option opts[] = {
    { "reserve", 'r', "SIZE", "the address range to reserve (default 1G)",
      .kind = ML_SIZE, .to = &reserve },
    { "grow", 'g', "SIZE", "how much each step adds (default 1M)", .kind = ML_SIZE, .to = &grow },
    { "steps", 256, "N", "how many times to grow (default 4)",
      .kind = ML_COUNT, .to = &steps, .min = 0, .max = 1000 },
    { .name = NULL },
};

static const struct ml_prog prog = {
    .name = "09-reserve-grow",
    .summary = "reserve a large view, grow the object under it; SIGBUS past its end",
    .teaches =
        "A view may be larger than its object: the range is reserved, not used.\n"
        "ftruncate grows the object; only touched pages cost memory.  Past the\n"
        "end, a touch is SIGBUS.  A full tmpfs is SIGBUS too, unless posix_fallocate\n"
        "asked for the space first.",
    .prev = "08-private-cow", .next = "10-mapped-array",
    .win32 = "CreateFileMapping(..., PAGE_READWRITE | SEC_RESERVE, ...) + VirtualAlloc(MEM_COMMIT)",
    .takes = ML_TAKES_HOLD, .own = opts,
};

static void say_memory_use(char *p, const char *what)
{
    struct ml_smaps s = { 0 };
    long minor, major;

    ml_smaps_at(0, (unsigned long)p, &s, NULL);
    ml_faults(&minor, &major);
    ml_say("%s: view Size %lld kB, Rss %lld kB; minor faults so far %ld", what, s.size_kb, s.rss_kb, minor);
}

/* -g in whole pages, and a reservation that holds them all. */
static void check_sizes(long ps)
{
    /* Whole pages; sizes stop a page short of the largest offset, so no
     * rounding overflows, and the products are checked by division. */
    grow = grow / ps * ps + (grow % ps ? ps : 0);
    if (reserve < 2 * ps || (steps > 0 && grow > (reserve - 2 * ps) / steps)) {
        if (steps > 0 && grow > (LLONG_MAX - 2 * ps) / steps)
            ml_error("the reservation (-r) must hold one page, %lld steps of %lld bytes and a "
                     "page past the end: more than any file offset; give a smaller -g or --steps",
                     steps, (long long)grow);
        else
            ml_error("the reservation (-r) must hold one page, %lld steps of %lld bytes and a "
                     "page past the end: at least %lld bytes", steps, (long long)grow,
                     (long long)(2 * ps + steps * grow));
        ml_exit(ML_USAGE);
    }
}

/* In a child: a 64 KiB tmpfs over /dev/shm in a mount namespace of its
 * own, and an object on it grown far past what it can hold. */
static _Noreturn void fill_small_tmpfs(const char *name)
{
    long ps = sysconf(_SC_PAGESIZE);
    int fd;

    /* [lesson:full] */
    ml_step("full", "in a private mount namespace, a 64 KiB tmpfs over /dev/shm: this child's alone");
    ml_call("unshare", "(none: Windows has no mount namespaces)", "CLONE_NEWNS");
    ml_must(ml_result(unshare(CLONE_NEWNS)));
    /* The new tmpfs goes on top of /dev/shm.  Where mounts are shared
     * (systemd makes them so), it would show in every namespace too,
     * unless the mount under it is private in this one first. */
    ml_call("mount", "(none)", "NULL, \"/dev/shm\", NULL, MS_REC | MS_PRIVATE, NULL");
    ml_must(ml_result(mount(NULL, "/dev/shm", NULL, MS_REC | MS_PRIVATE, NULL)));
    ml_call("mount", "(none)", "\"tmpfs\", \"/dev/shm\", \"tmpfs\", 0, \"size=64k,mode=1777\"");
    ml_must(ml_result(mount("tmpfs", "/dev/shm", "tmpfs", 0, "size=64k,mode=1777")));
    ml_call("shm_open", "(none)", "\"%s\", O_CREAT | O_EXCL | O_RDWR, 0600 /* on the small tmpfs */", name);
    fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
    ml_must(ml_result(fd));
    ml_call("ftruncate", "(none)", "%d, %d /* 1 MiB on a 64 KiB tmpfs */", fd, 1 << 20);
    ml_must(ml_result(ftruncate(fd, 1 << 20)));
    char *q = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (q == MAP_FAILED)
        ml_fail_errno("mmap");
    int i = 0;
    while (i < 256 && ml_touch(q + (long)i * ps, &bus_addr))
        i++;
    ml_say("pages 0-%d stored; page %d: SIGBUS at %p, caught: the tmpfs is full, and "
           "ftruncate had promised nothing", i - 1, i, bus_addr);
    /* [/lesson] */
    ml_exit(i < 256 ? ML_DONE : ML_FAILED);   /* its namespace, tmpfs and object go with it */
}

int main(int argc, char *argv[])
{
    struct ml_opts o;
    long ps = sysconf(_SC_PAGESIZE), before, after, major;
    int fd;

    ml_start(&prog, argc, argv, &o);
    check_sizes(ps);

    ml_step("create", "an object of one page");
    ml_call("shm_open", "CreateFileMapping(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE | SEC_RESERVE, 0, 1 GiB, szName)",
            "\"%s\", O_CREAT | O_EXCL | O_RDWR, 0600", o.name);
    fd = shm_open(o.name, O_CREAT | O_EXCL | O_RDWR, 0600);
    ml_must(ml_result(fd));
    ml_made_shm(o.name);
    ml_call("ftruncate", "(the section's size: fixed at creation on Windows)", "%d, %ld", fd, ps);
    ml_must(ml_result(ftruncate(fd, ps)));

    ml_step("reserve", "map a view of %lld bytes over it: address space, not memory", (long long)reserve);
    ml_call("mmap", "MapViewOfFile(hMapFile, FILE_MAP_ALL_ACCESS, 0, 0, 0): the whole reservation",
            "NULL, %lld, PROT_READ | PROT_WRITE, MAP_SHARED, %d, 0", (long long)reserve, fd);
    ml_call_range(NULL, (size_t)reserve, 0);
    char *p = mmap(NULL,
                   (size_t)reserve,          /* far more than the object's one page */
                   PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    ml_must(ml_result_ptr(p));
    ml_touch_or_stop(fd, p, 0, LESS);
    say_memory_use(p, "reserved, first page touched");

    /* [lesson:grow] */
    off_t size = ps;
    for (long long k = 1; k <= steps; k++) {
        ml_step("grow", "step %lld: grow the object by %lld bytes and touch the new pages", k, (long long)grow);
        ml_call("ftruncate", "VirtualAlloc(pBuf + committed, grow, MEM_COMMIT, PAGE_READWRITE)",
                "%d, %lld", fd, (long long)(size + grow));
        ml_must(ml_result(ftruncate(fd,
                                    size + grow)));   /* a size: no page is had yet */
        ml_faults(&before, &major);
        for (off_t off = size; off < size + grow; off += ps)
            ml_touch_or_stop(fd, p, off, LESS);
        ml_faults(&after, &major);
        size += grow;
        ml_say("touched %lld %s: %ld minor %s", (long long)(grow / ps),
               ml_plural(grow / ps, "page", "pages"), after - before,
               ml_plural(after - before, "fault", "faults"));
        say_memory_use(p, "now");
    }
    /* [/lesson] */
    ml_hold("%lld bytes in use out of a %lld-byte view: see Size and Rss in /proc/%ld/smaps",
            (long long)size, (long long)reserve, (long)getpid());

    ml_step("past-end", "touch the first page past the object's end (offset %lld)", (long long)size);
    if (ml_touch(p + size, &bus_addr)) {
        ml_error("a store past the object's end went through: no SIGBUS");
        ml_exit(ML_FAILED);
    }
    ml_say("SIGBUS at %p, caught: the page is inside the view but past the object's end "
           "(Win32: an access violation on a reserved, uncommitted page)", bus_addr);

    ml_step("shrink", "shrink the object to %lld bytes; the cut-off pages go", (long long)(ps + grow));
    ml_call("ftruncate", "(none: a section never shrinks; only the view can be unmapped)", "%d, %lld",
            fd, (long long)(ps + grow));
    ml_must(ml_result(ftruncate(fd, ps + grow)));
    say_memory_use(p, "after shrinking");
    if (ml_touch(p + size - ps, &bus_addr)) {
        ml_error("a store to a cut-off page went through: no SIGBUS");
        ml_exit(ML_FAILED);
    }
    ml_say("SIGBUS at %p, caught: that page was in use a moment ago; now it is past the end", bus_addr);

    ml_step("space", "posix_fallocate asks for the space at once; ftruncate never does");
    unsigned long long avail, total;
    if (ml_shm_room(&avail, &total)) {
        long long all = (long long)total;
        /* More than the whole file system: refused up front, nothing allocated. */
        ml_call("posix_fallocate", "(none: SEC_COMMIT charges the commit limit at CreateFileMapping)",
                "%d, 0, %lld /* more than /dev/shm's %lld */", fd, all + ps, all);
        ml_expect(ENOSPC);
        if (!ml_result_err(posix_fallocate(fd, 0, all + ps)))
            ml_say("refused before anything was allocated: no file system of that size could hold it");
    } else {
        ml_say("/dev/shm reports no size limit here: posix_fallocate would not fail up front, skipped");
    }
    if (!ml_may_mount()) {
        ml_say("skipped: filling a tmpfs needs a private one (mount, which needs CAP_SYS_ADMIN: "
               "run as root); the shared /dev/shm is never filled");
    } else if (!ml_is_mount_point("/dev/shm")) {
        ml_say("skipped: filling a tmpfs needs a private one over /dev/shm, and /dev/shm is not "
               "a mount point here, so its mount cannot be made private to this program; the "
               "shared /dev/shm is never filled");
    } else {
        pid_t pid = fork();
        if (pid == 0)
            fill_small_tmpfs(o.name);
        if (pid == -1)
            ml_fail_errno("fork");
        ml_reap_ok(pid, "the child with the small tmpfs");
    }

    ml_step("unlink", "unmap the whole view, close, remove the name");
    ml_call("munmap", "UnmapViewOfFile(pBuf)", "%p, %lld", (void *)p, (long long)reserve);
    ml_must(ml_result(munmap(p, (size_t)reserve)));
    ml_call("close", "CloseHandle(hMapFile)", "%d", fd);
    ml_must(ml_result(close(fd)));
    ml_call("shm_unlink", "(none: the last CloseHandle removes a Win32 object)", "\"%s\"", o.name);
    ml_must(ml_result(shm_unlink(o.name)));
    ml_made_done();
    ml_next("10-mapped-array: a file larger than 4 GiB, with a header that says what it holds.");
    ml_exit(ML_DONE);
}
