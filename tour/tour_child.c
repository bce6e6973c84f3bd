/* tour_child.c — starting, feeding, reading and stopping the programs the
 * tour runs.
 *
 * A process group is signalled only while its leader is unreaped: until
 * then its number cannot be given to another process, so kill(-pgid) can
 * only reach what the tour started and what that forked.
 */
#include "tour_child.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void nap_ms(int ms)
{
    struct timespec ts = { 0, (long)ms * 1000000L };
    nanosleep(&ts, NULL);
}

/* In the child, between fork and exec: async-signal-safe calls only. */
static _Noreturn void become(char *const argv[], int in, int out)
{
    struct sigaction dfl;
    sigset_t none;

    setpgid(0, 0);
    if (dup2(in, STDIN_FILENO) == -1 || dup2(out, STDOUT_FILENO) == -1 ||
        dup2(out, STDERR_FILENO) == -1)
        _exit(127);
    /* The tour ignores SIGPIPE and blocks nothing; the program must start
     * as it would from a shell. */
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGPIPE, &dfl, NULL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
#ifdef SYS_close_range
    syscall(SYS_close_range, 3U, ~0U, 0U);
#endif
    execv(argv[0], argv);
    const char *parts[] = { "mmaplab-tour: cannot run ", argv[0], ": ",
                            strerror(errno), "\n" };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        if (write(STDERR_FILENO, parts[i], strlen(parts[i])) < 0)
            break;
    _exit(127);
}

int tour_child_start(struct tour_child *c, char *const argv[], char *why,
                     size_t whysz)
{
    int in[2], out[2];

    memset(c, 0, sizeof *c);
    c->in = c->out = -1;
    if (access(argv[0], X_OK) == -1) {
        snprintf(why, whysz, "%s: %s (build the programs with make)", argv[0],
                 strerror(errno));
        return -1;
    }
    if (pipe2(in, O_CLOEXEC) == -1) {
        snprintf(why, whysz, "pipe: %s", strerror(errno));
        return -1;
    }
    if (pipe2(out, O_CLOEXEC) == -1) {
        snprintf(why, whysz, "pipe: %s", strerror(errno));
        close(in[0]);
        close(in[1]);
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == -1) {
        snprintf(why, whysz, "fork: %s", strerror(errno));
        close(in[0]); close(in[1]); close(out[0]); close(out[1]);
        return -1;
    }
    if (pid == 0)
        become(argv, in[0], out[1]);
    /* Both sides set the group, so that it exists whichever runs first. */
    setpgid(pid, pid);
    close(in[0]);
    close(out[1]);
    fcntl(out[0], F_SETFL, O_NONBLOCK);
    fcntl(in[1], F_SETFL, O_NONBLOCK);
    c->pid = pid;
    c->in = in[1];
    c->out = out[0];
    return 0;
}

bool tour_child_enter(struct tour_child *c)
{
    if (c->in < 0)
        return false;
    ssize_t w;
    do {
        w = write(c->in, "\n", 1);
    } while (w == -1 && errno == EINTR);
    return w == 1;
}

ssize_t tour_child_read(struct tour_child *c, char *buf, size_t n)
{
    if (c->out < 0)
        return 0;
    ssize_t r;
    do {
        r = read(c->out, buf, n);
    } while (r == -1 && errno == EINTR);
    if (r == 0) {
        close(c->out);
        c->out = -1;
        return 0;
    }
    if (r < 0)
        return errno == EAGAIN ? -1 : 0;
    return r;
}

bool tour_child_check(struct tour_child *c)
{
    siginfo_t si;

    if (c->pid <= 0 || c->reaped)
        return c->ended;
    memset(&si, 0, sizeof si);
    if (waitid(P_PID, (id_t)c->pid, &si, WEXITED | WNOHANG | WNOWAIT) == -1) {
        if (errno == ECHILD) {
            c->ended = c->reaped = true;
            c->status = 0;
        }
        return c->ended;
    }
    if (si.si_pid != c->pid)
        return false;
    /* The leader is a zombie: whatever it left in its group goes too. */
    kill(-c->pid, SIGKILL);
    int st = 0;
    if (waitpid(c->pid, &st, 0) == c->pid)
        c->status = st;
    c->ended = c->reaped = true;
    return true;
}

void tour_child_stop(struct tour_child *c, int grace_ms)
{
    if (c->pid > 0 && !c->reaped) {
        kill(-c->pid, SIGTERM);
        kill(c->pid, SIGCONT);
        double until = now_ms() + grace_ms;
        while (!tour_child_check(c) && now_ms() < until)
            nap_ms(5);
        if (!c->reaped) {
            kill(-c->pid, SIGKILL);
            int st = 0;
            if (waitpid(c->pid, &st, 0) == c->pid)
                c->status = st;
            c->ended = c->reaped = true;
        }
    }
    tour_child_close(c);
}

void tour_child_close(struct tour_child *c)
{
    if (c->in >= 0)
        close(c->in);
    if (c->out >= 0)
        close(c->out);
    c->in = c->out = -1;
}

void tour_reap_orphans(const struct tour_child *keep, int n, int wait_ms)
{
    double until = now_ms() + wait_ms;

    for (;;) {
        siginfo_t si;
        memset(&si, 0, sizeof si);
        if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == -1)
            return;                     /* ECHILD: nobody is left */
        if (si.si_pid == 0) {
            if (now_ms() >= until)
                return;
            nap_ms(5);
            continue;
        }
        for (int i = 0; i < n; i++) {
            if (keep[i].pid == si.si_pid && !keep[i].reaped)
                return;                 /* a leader: its owner reaps it */
        }
        waitpid(si.si_pid, NULL, 0);
    }
}

int tour_run_wait(char *const argv[], int timeout_ms)
{
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

    if (null < 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == -1) {
        close(null);
        return -1;
    }
    if (pid == 0) {
        int out = dup(STDOUT_FILENO);
        become(argv, null, out < 0 ? STDOUT_FILENO : out);
    }
    setpgid(pid, pid);
    close(null);
    double until = now_ms() + timeout_ms;
    int st = 0;
    for (;;) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return st;
        if (r == -1 && errno != EINTR)
            return -1;
        if (now_ms() > until) {
            kill(-pid, SIGKILL);
            waitpid(pid, &st, 0);
            return st;
        }
        nap_ms(5);
    }
}
