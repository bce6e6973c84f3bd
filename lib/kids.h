/* kids.h — the children a program forked through ml_spawn, so that a stop
 * signal kills and reaps them before the program says it stopped: no
 * worker may outlive the run, nor go on writing into an object that is
 * about to be removed.  Async-signal-safe; no narration.
 */
#ifndef MMAPLAB_KIDS_H
#define MMAPLAB_KIDS_H

#include <signal.h>
#include <sys/types.h>

/* The stop signals (SIGINT, SIGTERM, SIGHUP) as a set, to hold off while
 * the table changes. */
void ml_kids_stop_signals(sigset_t *set);

/* Write pid down / forget it (after it was reaped).  Callers hold the stop
 * signals off.  False when the table is full (ML_KIDS_MAX children). */
enum { ML_KIDS_MAX = 128 };
int ml_kids_add(pid_t pid);
void ml_kids_forget(pid_t pid);
/* In a child just forked: the table is its parent's, not its own. */
void ml_kids_forget_all(void);

/* From a signal handler: SIGKILL every child written down, reap them, and
 * say so on stderr as "PROG: killed and reaped its N children", and
 * whether any child of this process is left.  Returns N. */
int ml_kids_kill_all(const char *prog);

#endif
