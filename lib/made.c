/* made.c — take back, at exit, what a run made and did not finish. */
#include "made.h"
#include "mmaplab.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *made;
static bool is_shm;
static pid_t maker;
/* The file to unlink from a signal handler, where shm_unlink may not be
 * called: glibc keeps "/name" as /dev/shm/name. */
static char path_now[4200];
/* The name as the terminal may show it, made before any signal comes. */
static char shown_now[1100];

static void take_back(void)
{
    if (made == NULL || getpid() != maker)
        return;
    if ((is_shm ? shm_unlink(made) : unlink(made)) == 0) {
        printf("  (%s removed again: nothing is left behind)\n", shown_now);
        fflush(stdout);
    }
    made = NULL;
}

static void remember(const char *what, bool shm)
{
    static bool registered;

    if (!registered)
        registered = atexit(take_back) == 0;
    made = what;
    is_shm = shm;
    maker = getpid();
    snprintf(path_now, sizeof path_now, "%s%s", shm ? "/dev/shm" : "", what);
    ml_format(shown_now, sizeof shown_now, "%s", what);
}

static void say(const char *s)
{
    if (write(STDERR_FILENO, s, strlen(s)) < 0)
        return;
}

int ml_made_take_back_now(void)
{
    if (made == NULL || getpid() != maker || unlink(path_now) != 0)
        return 0;
    say("  (");
    say(shown_now);
    say(" removed again: nothing is left behind)\n");
    made = NULL;
    return 1;
}

void ml_made_shm(const char *name)
{
    remember(name, true);
}

void ml_made_file(const char *path)
{
    remember(path, false);
}

void ml_made_done(void)
{
    made = NULL;
}
