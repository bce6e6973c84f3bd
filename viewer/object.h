/* object.h — which object the name leads to, and when to let go of it (see
 * object.c).  A part of the model (model.c composes it): its own state is
 * the descriptor it reads the object with and what it knows of it; it
 * fills the snapshot's object and state, and tells the model what happened
 * so that the other parts can follow.
 */
#ifndef MMAPVIEW_OBJECT_H
#define MMAPVIEW_OBJECT_H

#include "model.h"

struct obj_part {
    char shm_dir[256];        /* where shared memory names live */
    int fd;                   /* read-only descriptor, or -1 */
    bool ever_tracked;
    bool trusted;             /* mincore tells this process the truth */
    uid_t trusted_uid;        /* what trusted was computed for */
    mode_t trusted_mode;
    bool swap;                /* is there swap?  (for contents) */
};

/* What happened to the object, for the other parts: */
enum {
    OBJ_FORGOT = 1,           /* it was let go: theirs goes too */
    OBJ_ADOPTED = 2,          /* a new object: they start again */
    OBJ_RESIZED = 4,          /* its size changed: every page looked at again */
    OBJ_SCAN = 8,             /* its identity changed: scan /proc now */
};

/* The target of cfg into s (path, kind); -1 with why when it is not one. */
int obj_resolve(struct obj_part *o, struct mv_snapshot *s, const struct mv_config *cfg,
                char *why, size_t whysz);
/* Look at the name and the object; returns OBJ_* of what happened. */
unsigned obj_sample(struct obj_part *o, struct mv_snapshot *s);
/* After a /proc scan: let go of an object nobody else uses any more. */
unsigned obj_after_scan(struct obj_part *o, struct mv_snapshot *s);
unsigned obj_forget(struct obj_part *o, struct mv_snapshot *s);

#endif
