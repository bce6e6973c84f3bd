/* touch.c — a store that may raise SIGBUS, and /dev/shm's room; see touch.h. */
#include "touch.h"
#include "mmaplab.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

static sigjmp_buf g_back;
static void *volatile g_fault;

static void on_sigbus(int sig, siginfo_t *si, void *ctx)
{
    (void)sig, (void)ctx;
    g_fault = si->si_addr;
    siglongjmp(g_back, 1);
}

/* Store 1 at addr (store), or store nothing new into each page of
 * [addr, addr + n), with SIGBUS caught. */
static bool access_caught(void *addr, size_t n, bool store, void **fault)
{
    struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO }, old;
    volatile bool ok = true;
    long ps = sysconf(_SC_PAGESIZE);

    sigemptyset(&sa.sa_mask);
    sigaction(SIGBUS, &sa, &old);
    if (sigsetjmp(g_back, 1) == 0) {
        if (store) {
            *(volatile char *)addr = 1;
        } else {
            /* The first byte, then the start of every later page: an atomic
             * OR with 0 is a store to the kernel (a write fault, the page
             * dirtied as by the store to come) that changes no byte, even
             * with another process writing there at the same time. */
            uintptr_t a = (uintptr_t)addr, end = a + n;
            __atomic_fetch_or((volatile char *)addr, 0, __ATOMIC_RELAXED);
            for (uintptr_t q = (a / (uintptr_t)ps + 1) * (uintptr_t)ps; q < end; q += (uintptr_t)ps)
                __atomic_fetch_or((volatile char *)q, 0, __ATOMIC_RELAXED);
        }
    } else {
        ok = false;
    }
    sigaction(SIGBUS, &old, NULL);
    if (!ok && fault != NULL)
        *fault = g_fault;
    return ok;
}

bool ml_touch(void *addr, void **fault)
{
    return access_caught(addr, 1, true, fault);
}

bool ml_probe(void *addr, size_t n, void **fault)
{
    return n == 0 || access_caught(addr, n, false, fault);
}

bool ml_shm_room(unsigned long long *avail, unsigned long long *total)
{
    struct statvfs v;

    *avail = *total = 0;
    if (statvfs("/dev/shm", &v) == -1 || v.f_blocks == 0)
        return false;
    *avail = (unsigned long long)v.f_bavail * v.f_frsize;
    *total = (unsigned long long)v.f_blocks * v.f_frsize;
    return true;
}

const char *ml_shm_room_words(char *out, size_t outsz)
{
    unsigned long long avail, total;
    char a[32], t[32];

    if (!ml_shm_room(&avail, &total)) {
        snprintf(out, outsz, "statvfs gives /dev/shm no size limit");
        return out;
    }
    ml_human_size(avail, a, sizeof a);
    ml_human_size(total, t, sizeof t);
    snprintf(out, outsz, "/dev/shm has %s free of %s", a, t);
    return out;
}

void ml_stop_without_room(int err, const char *need)
{
    char room[128];

    if (err == ENOSPC)
        ml_error("%s, and there is none to have (%s): free some (mmaplab clean "
                 "removes mmaplab's objects) and run again", need,
                 ml_shm_room_words(room, sizeof room));
    ml_exit(ML_FAILED);
}

void ml_touch_or_stop(int fd, char *p, off_t off, const char *less)
{
    unsigned long long avail, total;
    struct stat st;
    char room[128];
    void *fault;
    long ps = sysconf(_SC_PAGESIZE);

    if (ml_touch(p + off, &fault))
        return;
    if (fstat(fd, &st) == 0 && off >= st.st_size)
        ml_error("SIGBUS at %p (offset %lld): the object is %lld bytes now, not the %lld this "
                 "program gave it: another process cut it shorter; run again", fault,
                 (long long)off, (long long)st.st_size, (long long)(off + ps));
    else if (ml_shm_room(&avail, &total) && avail < (unsigned long long)ps)
        ml_error("SIGBUS at %p (offset %lld, inside the object): no page could be had for it, "
                 "because /dev/shm is full (%s).  ftruncate grew the object's size, not its "
                 "space: that is only asked for at the first store (posix_fallocate would have "
                 "said ENOSPC at once).  Give %s, or free some of /dev/shm (mmaplab clean "
                 "removes mmaplab's objects)", fault, (long long)off,
                 ml_shm_room_words(room, sizeof room), less);
    else
        ml_error("SIGBUS at %p (offset %lld, inside the object): the kernel could not give it a "
                 "page, though %s (a memory limit of this process's cgroup, or the space went "
                 "and came back): run again, with %s", fault, (long long)off,
                 ml_shm_room_words(room, sizeof room), less);
    ml_exit(ML_FAILED);
}
