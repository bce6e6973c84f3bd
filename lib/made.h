/* made.h — nothing half-made: what a program made, removed again when it fails.
 *
 * A program that creates a shared memory object or a file says so here;
 * if it then stops early (ml_exit after a failed call, or any exit), the
 * thing is removed again and the student is told.  Only the process that
 * made it removes it: a forked child that exits takes nothing with it.
 * A program that removes the thing itself, or means it to stay, says
 * ml_made_done().  On SIGINT, SIGTERM or SIGHUP the library's handler
 * removes it too (ml_made_take_back_now), before the process dies.
 */
#ifndef MMAPLAB_MADE_H
#define MMAPLAB_MADE_H

#include <stdbool.h>

/* This process just created the shared memory object name / the file path
 * (the string must stay valid until exit). */
void ml_made_shm(const char *name);
void ml_made_file(const char *path);

/* Does the name still lead to what this process made (not to a file or
 * link someone put there since)?  For a program about to remove it by
 * name.  False when nothing is recorded as made. */
bool ml_made_still_ours(void);

/* It was removed by the program, or is meant to stay: forget it. */
void ml_made_done(void);

/* From a signal handler: remove what this process made and has not finished,
 * with unlink(2) only (async-signal-safe), and say so on stderr.  Returns 1
 * when something was removed, else 0. */
int ml_made_take_back_now(void);

#endif
