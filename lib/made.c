/* made.c — take back, at exit, what a run made and did not finish. */
#include "made.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *made;
static bool is_shm;
static pid_t maker;

static void take_back(void)
{
    if (made == NULL || getpid() != maker)
        return;
    if ((is_shm ? shm_unlink(made) : unlink(made)) == 0) {
        printf("  (%s removed again: nothing is left behind)\n", made);
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
