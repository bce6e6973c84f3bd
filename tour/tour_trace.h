/* tour_trace.h — the tour's own trace, read as the programs append to it.
 *
 * Every program the tour runs is given --trace with the tour's file; the
 * tour learns where each one stands from it (a "hold" event is a pause
 * before a call under --step, or a hold point; "exit" is the end), never
 * from the time that has passed.
 */
#ifndef MMAPLAB_TOUR_TRACE_H
#define MMAPLAB_TOUR_TRACE_H

#include <stdbool.h>
#include <stddef.h>

#include "linebuf.h"

struct tour_event {
    long long ts_ns;
    long long pid;
    char prog[32];
    char event[16];
    char step[32];
    char call[48];
    char message[512];
    int status;             /* exit: the exit status */
};

struct tour_trace {
    int fd;                 /* read side, or -1 */
    int watch;              /* inotify: readable when the file grows, or -1 */
    struct linebuf lines;   /* bytes read, not yet whole lines */
};

struct stat;

/* Make the file (empty, 0600; it must not exist) and open it for reading;
 * made gets what was made (its device and inode: the tour removes only
 * that).  Returns 0, or -1 with the reason in why. */
int tour_trace_open(struct tour_trace *t, const char *path, struct stat *made,
                    char *why, size_t whysz);

/* The next whole event, if one is there: 1, else 0. */
int tour_trace_next(struct tour_trace *t, struct tour_event *e);

/* Empty the inotify queue after a wake-up. */
void tour_trace_drain_watch(struct tour_trace *t);

void tour_trace_close(struct tour_trace *t);

#endif
