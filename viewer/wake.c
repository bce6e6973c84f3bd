/* wake.c — stopping signals through a self-pipe, and crash signals that
 * clean up on the way out (wake.h).
 */
#include "wake.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

volatile sig_atomic_t wake_signal;

static int g_pipe[2] = { -1, -1 };
static void (*g_last_words)(void);

static const int crash_sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
static struct sigaction g_old_crash[sizeof crash_sigs / sizeof crash_sigs[0]];

static void on_stop(int sig)
{
    int e = errno;
    wake_stop(sig);
    errno = e;
}

void wake_stop(int sig)
{
    if (!wake_signal)
        wake_signal = sig;
    if (g_pipe[1] >= 0 && write(g_pipe[1], "x", 1) < 0) {
        /* The pipe is full: a wake-up is already pending. */
    }
}

static void on_crash(int sig)
{
    if (g_last_words)
        g_last_words();
    for (size_t i = 0; i < sizeof crash_sigs / sizeof crash_sigs[0]; i++) {
        if (crash_sigs[i] == sig)
            sigaction(sig, &g_old_crash[i], NULL);   /* ASan's, or the default */
    }
    raise(sig);
}

/* Under AddressSanitizer a report ends the process with _exit: the last
 * words are said there too.  The symbol exists only in sanitized builds. */
extern void __sanitizer_set_death_callback(void (*)(void)) __attribute__((weak));

int wake_init(void (*last_words)(void), bool ignore_sigpipe)
{
    struct sigaction sa;

    if (pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK) == -1)
        return -1;
    g_last_words = last_words;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_stop;           /* no SA_RESTART: poll must wake */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGQUIT, &sa, NULL);
    if (ignore_sigpipe) {
        sa.sa_handler = SIG_IGN;
        sigaction(SIGPIPE, &sa, NULL);
    }
    sa.sa_handler = on_crash;
    sa.sa_flags = SA_NODEFER;
    for (size_t i = 0; i < sizeof crash_sigs / sizeof crash_sigs[0]; i++)
        sigaction(crash_sigs[i], &sa, &g_old_crash[i]);
    if (last_words && __sanitizer_set_death_callback)
        __sanitizer_set_death_callback(last_words);
    return 0;
}

int wake_fd(void)
{
    return g_pipe[0];
}

void wake_drain(void)
{
    char buf[16];
    while (g_pipe[0] >= 0 && read(g_pipe[0], buf, sizeof buf) > 0)
        ;
}

_Noreturn void wake_die(void)
{
    int sig = (int)wake_signal;
    signal(sig, SIG_DFL);
    raise(sig);
    abort();                           /* a signal that does not kill */
}
