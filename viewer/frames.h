/* frames.h — the physical frame behind the selected page, in each mapper
 * (see frames.c).  A part of the model (model.c composes it): its own
 * state is the pagemap files it keeps open between ticks.
 */
#ifndef MMAPVIEW_FRAMES_H
#define MMAPVIEW_FRAMES_H

#include "model.h"

struct frames_part {
    /* Open /proc/PID/pagemap of the mappers, and /proc/kpagecount. */
    struct pm_fd { pid_t pid; int fd; } *pm;
    size_t npm;
    int kpc_fd;               /* -1: not open (yet, or it cannot be) */
};

void frames_init(struct frames_part *f);
/* The frame of s's selected page in each process of s's list. */
void frames_sample(struct frames_part *f, struct mv_snapshot *s);
/* After a scan: close what belongs to processes no longer mapping it. */
void frames_prune(struct frames_part *f, const struct mv_procs *p);
void frames_close(struct frames_part *f);

#endif
