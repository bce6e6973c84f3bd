/* kids.c — the table of forked children, and their end on a stop signal. */
#include "kids.h"

#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile pid_t kids[ML_KIDS_MAX];

void ml_kids_stop_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGHUP);
}

int ml_kids_add(pid_t pid)
{
    for (int i = 0; i < ML_KIDS_MAX; i++) {
        if (kids[i] == 0) {
            kids[i] = pid;
            return 1;
        }
    }
    return 0;
}

void ml_kids_forget(pid_t pid)
{
    for (int i = 0; i < ML_KIDS_MAX; i++)
        if (kids[i] == pid)
            kids[i] = 0;
}

void ml_kids_forget_all(void)
{
    for (int i = 0; i < ML_KIDS_MAX; i++)
        kids[i] = 0;
}

static void put(const char *s)
{
    if (write(STDERR_FILENO, s, strlen(s)) < 0)
        return;
}

int ml_kids_kill_all(const char *prog)
{
    int saved = errno, n = 0;
    char num[12] = { 0 };
    int k = (int)sizeof num - 1;

    for (int i = 0; i < ML_KIDS_MAX; i++)
        if (kids[i] > 0 && kill(kids[i], SIGKILL) == 0)
            n++;
    for (int i = 0; i < ML_KIDS_MAX; i++) {
        if (kids[i] > 0) {
            while (waitpid(kids[i], NULL, 0) == -1 && errno == EINTR)
                ;
            kids[i] = 0;
        }
    }
    if (n > 0) {
        for (int v = n; v > 0 && k > 0; v /= 10)
            num[--k] = (char)('0' + v % 10);
        put("\n");
        put(prog);
        put(": killed and reaped its ");
        put(num + k);
        put(n == 1 ? " child" : " children");
        if (waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD)
            put(": no process of this run is left");
        else
            put(", but a child of this process is still running");
    }
    errno = saved;
    return n;
}
