/* event.h — one trace event (lessons/trace.md) built in a buffer.
 *
 * No system call and no stdio here: the POSIX writer (trace.c, which also
 * writes from signal handlers) and the Win32 programs (w32lab.c) build their
 * events with the same code and differ only in how they get the time, the
 * pid, and the bytes to the file.
 */
#ifndef MMAPLAB_EVENT_H
#define MMAPLAB_EVENT_H

#include <stdbool.h>
#include <stddef.h>

#define TRACE_VERSION 1
#define TRACE_STR_MAX 256      /* longer strings are cut and marked */

struct trace_event {
    char buf[4096];
    size_t len;
    bool overflow;
    long long ts_ns, pid;      /* kept for the event that replaces an overflow */
    const char *prog;
};

/* Start an event with the keys every event has: v, ts_ns, pid, prog, event
 * and object (NULL is ""). */
void trace_event_start(struct trace_event *e, long long ts_ns, long long pid,
                       const char *prog, const char *event, const char *object);

void trace_str(struct trace_event *e, const char *key, const char *val);
void trace_int(struct trace_event *e, const char *key, long long val);
void trace_bool(struct trace_event *e, const char *key, bool val);

/* Close the event with "}\n" and return its length in e->buf.  An event that
 * outgrew the buffer is never written in part: it is replaced by an error
 * event, with the same time and pid, that says so. */
size_t trace_event_end(struct trace_event *e);

/* The writer's part, defined once per track (trace.c for POSIX, the Win32
 * twins' own): start an event with this moment and this process, and
 * append a finished one to the trace as a whole. */
void trace_begin(struct trace_event *e, const char *prog, const char *event,
                 const char *object);
void trace_write(struct trace_event *e);

#endif
