/* touch.c — a store that may raise SIGBUS; see touch.h. */
#include "touch.h"

#include <setjmp.h>
#include <signal.h>
#include <stddef.h>

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
