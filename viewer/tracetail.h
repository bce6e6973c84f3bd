/* tracetail.h — the tail of the trace: the events for the object followed.
 *
 * A part of the model (model.h) with its own state (struct tt_tail, the
 * file and what has been read of it); the events it keeps go into a
 * struct mv_trace that the snapshot holds.
 */
#ifndef MMAPVIEW_TRACETAIL_H
#define MMAPVIEW_TRACETAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define MV_TRACE_KEEP 64
#define MV_TRACE_LINE 4096

struct mv_event {
    long long ts_ns;
    long long pid;
    char prog[32];
    char event[16];
    char step[24];
    char call[32];
    char detail[200];         /* args = ret, errno, or the message */
    bool failed;              /* errno other than 0, not expected */
    char raw[MV_TRACE_LINE];  /* the line itself (a checked JSON object) */
};

struct mv_trace {
    bool off;                 /* MMAPLAB_TRACE=off */
    char path[4096];
    char note[256];           /* no file yet, unreadable, ... */
    struct mv_event ev[MV_TRACE_KEEP];   /* a ring: oldest at head */
    size_t head, n;
    unsigned long long seen;  /* events for this object so far */
};

/* The i-th event, oldest first. */
const struct mv_event *mv_trace_at(const struct mv_trace *t, size_t i);

struct linebuf;

/* Where the tail is in the trace file. */
struct tt_tail {
    int fd;
    dev_t dev;
    ino_t ino;
    off_t pos;
    struct linebuf *lines;    /* what has been read, not yet whole lines */
};

/* The trace: flag (--trace), else $MMAPLAB_TRACE, else the default path;
 * "off" turns it off. */
void tt_init(struct tt_tail *tail, struct mv_trace *t, const char *flag);
/* Read what has been added; keep the events for object (or object2, when
 * not NULL).  Returns how many were kept. */
size_t tt_sample(struct tt_tail *tail, struct mv_trace *t, const char *object,
                 const char *object2);
void tt_close(struct tt_tail *tail);
/* Parse one trace line; true when it is an event for object. */
bool tt_parse(const char *line, size_t n, const char *object,
              const char *object2, struct mv_event *e);

#endif
