/* child.h — the plumbing around a child process that no program teaches:
 * a pipe pair between parent and child (a go-ahead, an address, "done"),
 * a fork whose child the library kills on a stop signal, and the wait.
 * A call here that fails is said with its name and errno, and the
 * program exits 1 (ml_fail_errno).
 */
#ifndef MMAPLAB_CHILD_H
#define MMAPLAB_CHILD_H

#include <stddef.h>
#include <sys/types.h>

/* Two pipes between a parent and the child it is about to fork: down
 * (parent to child) and up (child to parent), both O_CLOEXEC. */
struct ml_link {
    int down[2], up[2];
    int rd, wr;          /* this side's ends, once ml_link_parent/_child ran */
};

/* Before fork: make both pipes. */
void ml_link_open(struct ml_link *l);
/* After fork, in the parent: close the child's ends. */
void ml_link_parent(struct ml_link *l);
/* After fork, in the child: close the parent's ends, then wait for the
 * parent's go-ahead (ml_link_go), so that the child speaks after the
 * parent's narration of the fork. */
void ml_link_child(struct ml_link *l);
/* One byte to the other side: go on. */
void ml_link_go(struct ml_link *l);
/* n bytes to / from the other side.  An end of input before n bytes (the
 * other side died) is an error that says so. */
void ml_link_put(struct ml_link *l, const void *p, size_t n);
void ml_link_get(struct ml_link *l, void *p, size_t n);
/* Wait until the other side closes its end (it let go). */
void ml_link_wait_close(struct ml_link *l);
/* Close this side's ends: the other side's ml_link_wait_close returns. */
void ml_link_close(struct ml_link *l);

/* fork, narrated as win32 says (NULL: not narrated), for a child that
 * must not outlive this process: it dies with it (PR_SET_PDEATHSIG), takes
 * the stop signals without the library's words, and a stop signal to this
 * process kills and reaps it first.  Returns 0 in the child, the child's
 * pid in the parent; a failed fork is explained and the program exits 1. */
pid_t ml_spawn(const char *win32);

/* Wait for the child pid and reap it; its wait status (0: it exited 0). */
int ml_reap(pid_t pid);

/* How a child ended, from its wait status, as words after its name:
 * "was killed by SIGKILL (Killed)" or "exited with status 3".  Returns out. */
const char *ml_how_ended(int status, char *out, size_t outsz);

/* The same, for a child that must have exited 0: otherwise say how who
 * ("the forked child") ended, and ml_exit(ML_FAILED). */
void ml_reap_ok(pid_t pid, const char *who);

#endif
