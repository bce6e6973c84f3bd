/* touch.c — a store that may raise SIGBUS, and /dev/shm's room; see touch.h. */
#include "touch.h"
#include "mmaplab.h"

#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/statvfs.h>

static sigjmp_buf g_back;
static void *volatile g_fault;

static void on_sigbus(int sig, siginfo_t *si, void *ctx)
{
    (void)sig, (void)ctx;
    g_fault = si->si_addr;
    siglongjmp(g_back, 1);
}

bool ml_touch(void *addr, void **fault)
{
    struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO }, old;
    volatile bool ok = true;

    sigemptyset(&sa.sa_mask);
    sigaction(SIGBUS, &sa, &old);
    if (sigsetjmp(g_back, 1) == 0)
        *(volatile char *)addr = 1;
    else
        ok = false;
    sigaction(SIGBUS, &old, NULL);
    if (!ok && fault != NULL)
        *fault = g_fault;
    return ok;
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
