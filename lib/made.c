/* made.c — take back, at exit, what a run made and did not finish. */
#include "made.h"
#include "mmaplab.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *made;
static bool is_shm;
static pid_t maker;
/* The file to unlink from a signal handler, where shm_unlink may not be
 * called: glibc keeps "/name" as /dev/shm/name. */
static char path_now[4200];
/* The name as the terminal may show it, made before any signal comes. */
static char shown_now[1100];
/* What it was when made: the name is removed only while it still leads to
 * that (in a directory others can write, it may have been swapped for
 * someone else's file or link). */
static dev_t made_dev;
static ino_t made_ino;

/* Does the name still lead to what this process made?  1 yes, 0 it leads
 * to something else, -1 to nothing.  lstat only: it is async-signal-safe. */
static int still_ours(void)
{
    struct stat st;

    if (lstat(path_now, &st) == -1)
        return -1;
    return !S_ISLNK(st.st_mode) && st.st_dev == made_dev &&
           st.st_ino == made_ino;
}

static void take_back(void)
{
    if (made == NULL || getpid() != maker)
        return;
    int ours = still_ours();
    if (ours == 0) {
        printf("  (%s is not the one this run made any more: left alone)\n", shown_now);
        fflush(stdout);
    } else if (ours == 1 && (is_shm ? shm_unlink(made) : unlink(made)) == 0) {
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
    struct stat st;
    if (lstat(path_now, &st) == 0) {
        made_dev = st.st_dev;
        made_ino = st.st_ino;
    } else {
        made = NULL;          /* gone already, or never there: nothing to take back */
    }
}

static void say(const char *s)
{
    if (write(STDERR_FILENO, s, strlen(s)) < 0)
        return;
}

int ml_made_take_back_now(void)
{
    if (made == NULL || getpid() != maker || still_ours() != 1 ||
        unlink(path_now) != 0)
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

bool ml_made_still_ours(void)
{
    return made != NULL && getpid() == maker && still_ours() == 1;
}

void ml_made_done(void)
{
    made = NULL;
}
