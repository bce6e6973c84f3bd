/* tour_child.h — the programs the tour runs.
 *
 * Each runs in a process group of its own, so that Ctrl-C at the terminal
 * reaches only the tour (which then stops them, and the processes they
 * forked, as one group), with its standard input a pipe the tour presses
 * Enter into and its standard output and error one pipe the tour reads.
 * Pipes, not ptys: the programs then print no colour, and a hold reads its
 * line from the pipe exactly as from a person.
 */
#ifndef MMAPLAB_TOUR_CHILD_H
#define MMAPLAB_TOUR_CHILD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct tour_child {
    pid_t pid;              /* 0: none; also its process group */
    int in;                 /* the write end of its stdin, or -1 */
    int out;                /* the read end of its stdout + stderr, or -1 */
    bool ended;             /* the leader has exited (it may be unreaped) */
    bool reaped;
    int status;             /* its wait status, once ended */
};

/* Start argv[0] with argv.  Returns 0, or -1 with the reason in why. */
int tour_child_start(struct tour_child *c, char *const argv[], char *why,
                     size_t whysz);

/* One line on its standard input: Enter.  False when it cannot take it. */
bool tour_child_enter(struct tour_child *c);

/* What it printed, without waiting: the byte count, 0 at the end of its
 * output, or -1 when there is nothing now. */
ssize_t tour_child_read(struct tour_child *c, char *buf, size_t n);

/* Has the leader exited?  Looks without reaping (a zombie keeps the process
 * group's number from being reused), and once it has, stops whatever is
 * left of its group and reaps it.  True once it has ended. */
bool tour_child_check(struct tour_child *c);

/* Stop it: SIGTERM to the group (the programs record that in the trace and
 * take back what they made), SIGKILL after grace_ms, reap; close the
 * pipes. */
void tour_child_stop(struct tour_child *c, int grace_ms);

/* Close the pipes and forget it (after it has been reaped). */
void tour_child_close(struct tour_child *c);

/* The tour is its programs' subreaper (main sets it), so what they fork
 * and leave behind comes back to it when they die: reap those, but not
 * the leaders in keep (n of them; tour_child_check reaps those).  With
 * wait_ms, wait that long for stragglers to go. */
void tour_reap_orphans(const struct tour_child *keep, int n, int wait_ms);

/* Run argv to its end with the tour's stdout and stderr, stdin from
 * /dev/null; SIGKILL after timeout_ms.  Returns its wait status, or -1. */
int tour_run_wait(char *const argv[], int timeout_ms);

#endif
