/* child.c — pipes to a child, a fork the library tracks, and the wait. */
#include "child.h"
#include "kids.h"
#include "mmaplab.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

void ml_link_open(struct ml_link *l)
{
    if (pipe2(l->down, O_CLOEXEC) == -1)
        ml_fail_errno("pipe2");
    if (pipe2(l->up, O_CLOEXEC) == -1)
        ml_fail_errno("pipe2");
    l->rd = l->wr = -1;
}

static void close_or_fail(int fd)
{
    if (close(fd) == -1)
        ml_fail_errno("close");
}

void ml_link_parent(struct ml_link *l)
{
    close_or_fail(l->down[0]);
    close_or_fail(l->up[1]);
    l->rd = l->up[0];
    l->wr = l->down[1];
}

void ml_link_child(struct ml_link *l)
{
    char c;

    close_or_fail(l->down[1]);
    close_or_fail(l->up[0]);
    l->rd = l->down[0];
    l->wr = l->up[1];
    ml_link_get(l, &c, 1);
}

void ml_link_go(struct ml_link *l)
{
    ml_link_put(l, "g", 1);
}

void ml_link_put(struct ml_link *l, const void *p, size_t n)
{
    ssize_t w;

    while ((w = write(l->wr, p, n)) == -1 && errno == EINTR)
        ;
    if (w == -1)
        ml_fail_errno("write");
    if ((size_t)w != n) {
        ml_error("write to the other process took %zd of %zu bytes", w, n);
        ml_exit(ML_FAILED);
    }
}

void ml_link_get(struct ml_link *l, void *p, size_t n)
{
    ssize_t r;

    while ((r = read(l->rd, p, n)) == -1 && errno == EINTR)
        ;
    if (r == -1)
        ml_fail_errno("read");
    if ((size_t)r != n) {
        ml_error("the other process ended before it said what this one waits for "
                 "(%zd of %zu bytes): it died or was killed; run again", r, n);
        ml_exit(ML_FAILED);
    }
}

void ml_link_wait_close(struct ml_link *l)
{
    char c;
    ssize_t r;

    while ((r = read(l->rd, &c, 1)) != 0)
        if (r == -1 && errno != EINTR)
            ml_fail_errno("read");
}

void ml_link_close(struct ml_link *l)
{
    close_or_fail(l->rd);
    close_or_fail(l->wr);
    l->rd = l->wr = -1;
}

pid_t ml_spawn(const char *win32)
{
    sigset_t stops, was;
    pid_t parent = getpid();

    if (win32)
        ml_call("fork", win32, "%s", "");
    ml_kids_stop_signals(&stops);
    sigprocmask(SIG_BLOCK, &stops, &was);
    pid_t pid = fork();
    if (pid == 0) {
        ml_kids_forget_all();
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent)
            _exit(1);                    /* the parent is gone already */
        /* It made nothing to remove: a stop signal simply ends it. */
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        sigprocmask(SIG_SETMASK, &was, NULL);
        return 0;
    }
    int err = errno;
    bool kept = pid > 0 && ml_kids_add(pid);
    if (pid > 0 && !kept)
        kill(pid, SIGKILL);              /* reaped below */
    sigprocmask(SIG_SETMASK, &was, NULL);
    errno = err;
    if (win32 && !ml_result(pid))
        ml_exit(ML_FAILED);
    if (pid == -1)
        ml_fail_errno("fork");
    if (!kept) {
        ml_reap(pid);
        ml_error("more than %d children at once: the library cannot answer for them", ML_KIDS_MAX);
        ml_exit(ML_FAILED);
    }
    return pid;
}

/* Reaped with the stop signals held off, so that the stop handler never
 * signals a process number that may already belong to someone else. */
int ml_reap(pid_t pid)
{
    siginfo_t si;
    sigset_t stops, was;
    int status = 0;

    while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) == -1)
        if (errno != EINTR)
            ml_fail_errno("waitid");
    ml_kids_stop_signals(&stops);
    sigprocmask(SIG_BLOCK, &stops, &was);
    pid_t got = waitpid(pid, &status, 0);
    int err = errno;
    if (got == pid)
        ml_kids_forget(pid);
    sigprocmask(SIG_SETMASK, &was, NULL);
    errno = err;
    if (got != pid)
        ml_fail_errno("waitpid");
    return status;
}

const char *ml_how_ended(int status, char *out, size_t outsz)
{
    if (WIFSIGNALED(status)) {
        const char *abbrev = sigabbrev_np(WTERMSIG(status));
        snprintf(out, outsz, "was killed by SIG%s (%s)", abbrev ? abbrev : "?",
                 strsignal(WTERMSIG(status)));
    } else if (WIFEXITED(status)) {
        snprintf(out, outsz, "exited with status %d", WEXITSTATUS(status));
    } else {
        snprintf(out, outsz, "ended with wait status 0x%x", (unsigned)status);
    }
    return out;
}

void ml_reap_ok(pid_t pid, const char *who)
{
    char how[128];
    int status = ml_reap(pid);

    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return;
    ml_error("%s (pid %d) %s", who, (int)pid, ml_how_ended(status, how, sizeof how));
    ml_exit(ML_FAILED);
}
