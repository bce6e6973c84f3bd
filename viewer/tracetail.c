/* tracetail.c — the last events of the programs' trace, for this object.
 *
 * The trace is the file the programs append to (--trace, $MMAPLAB_TRACE, or
 * the per-user default of lessons/trace.md).  It is read from where the last
 * read stopped; a line is taken only once its newline is there (each event
 * is one write, but a reader can still land between two).  A trace that is
 * replaced or truncated is followed.
 */
#include "tracetail.h"
#include "linebuf.h"
#include "trace.h"
#include "traceline.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* At start, only this much of a long trace's end is read. */
#define TAIL_START (256 * 1024)
/* And at most this much per sample, so a flood cannot stall the viewer. */
#define TAIL_STEP (1024 * 1024)

const struct mv_event *mv_trace_at(const struct mv_trace *t, size_t i)
{
    return &t->ev[(t->head + i) % MV_TRACE_KEEP];
}

void tt_init(struct tt_tail *tail, struct mv_trace *t, const char *flag)
{
    const char *path = flag && flag[0] ? flag : getenv("MMAPLAB_TRACE");

    memset(tail, 0, sizeof *tail);
    tail->fd = -1;
    if (path != NULL && strcmp(path, "off") == 0) {
        t->off = true;
        snprintf(t->note, sizeof t->note, "the trace is off (MMAPLAB_TRACE=off)");
        return;
    }
    if (path != NULL && path[0] != '\0') {
        snprintf(t->path, sizeof t->path, "%s", path);
        return;
    }
    char why[512];
    if (trace_default_path(getenv("XDG_RUNTIME_DIR"), "/tmp", getuid(),
                           t->path, sizeof t->path, why, sizeof why) == -1) {
        t->path[0] = '\0';
        snprintf(t->note, sizeof t->note, "no trace: %.200s", why);
    }
}

void tt_close(struct tt_tail *tail)
{
    if (tail->fd >= 0)
        close(tail->fd);
    tail->fd = -1;
    free(tail->lines);
    tail->lines = NULL;
}

static void str_field(const json_t *o, const char *key, char *out, size_t n)
{
    const char *v = traceline_str(o, key);
    snprintf(out, n, "%s", v ? v : "");
}

bool tt_parse(const char *line, size_t n, const char *object,
              const char *object2, struct mv_event *e)
{
    json_t *o;

    if (n >= sizeof e->raw || (o = traceline_read(line, n, NULL)) == NULL)
        return false;
    const char *obj = traceline_str(o, "object");
    if (obj == NULL || (strcmp(obj, object) != 0 &&
                        (object2 == NULL || strcmp(obj, object2) != 0))) {
        json_decref(o);
        return false;
    }

    memset(e, 0, offsetof(struct mv_event, raw));
    memcpy(e->raw, line, n);
    e->raw[n] = '\0';
    e->ts_ns = traceline_int(o, "ts_ns");
    e->pid = traceline_int(o, "pid");
    str_field(o, "prog", e->prog, sizeof e->prog);
    str_field(o, "event", e->event, sizeof e->event);
    str_field(o, "step", e->step, sizeof e->step);
    str_field(o, "call", e->call, sizeof e->call);

    const char *args = traceline_str(o, "args"), *ret = traceline_str(o, "ret");
    const char *err = traceline_str(o, "errno"), *msg = traceline_str(o, "message");
    bool expected = json_is_true(json_object_get(o, "expected"));
    if (strcmp(e->event, "call") == 0) {
        e->failed = err != NULL && strcmp(err, "0") != 0 && !expected;
        snprintf(e->detail, sizeof e->detail, "(%s) = %s%s%s%s", args ? args : "",
                 ret ? ret : "?", err && strcmp(err, "0") != 0 ? " " : "",
                 err && strcmp(err, "0") != 0 ? err : "",
                 expected ? " (expected)" : "");
    } else if (strcmp(e->event, "exit") == 0) {
        long long st = traceline_int(o, "status");
        e->failed = st != 0;
        snprintf(e->detail, sizeof e->detail, "status %lld", st);
    } else if (msg != NULL) {
        e->failed = strcmp(e->event, "error") == 0;
        snprintf(e->detail, sizeof e->detail, "%s", msg);
    }
    json_decref(o);
    return true;
}

static void push(struct mv_trace *t, const struct mv_event *e)
{
    size_t at = (t->head + t->n) % MV_TRACE_KEEP;

    if (t->n == MV_TRACE_KEEP) {
        at = t->head;
        t->head = (t->head + 1) % MV_TRACE_KEEP;
    } else {
        t->n++;
    }
    t->ev[at] = *e;
    t->seen++;
}

static bool reopen(struct tt_tail *tail, struct mv_trace *t)
{
    struct stat st;

    tail->fd = open(t->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (tail->fd == -1) {
        if (errno == ENOENT)
            snprintf(t->note, sizeof t->note, "no trace file yet");
        else
            snprintf(t->note, sizeof t->note, "the trace cannot be read: %s",
                     strerror(errno));
        return false;
    }
    if (fstat(tail->fd, &st) == -1 || !S_ISREG(st.st_mode)) {
        snprintf(t->note, sizeof t->note, "the trace is not a regular file");
        close(tail->fd);
        tail->fd = -1;
        return false;
    }
    t->note[0] = '\0';
    tail->dev = st.st_dev;
    tail->ino = st.st_ino;
    tail->pos = st.st_size > TAIL_START ? st.st_size - TAIL_START : 0;
    linebuf_reset(tail->lines, false, tail->pos > 0);   /* maybe inside a line */
    return true;
}

size_t tt_sample(struct tt_tail *tail, struct mv_trace *t, const char *object,
                 const char *object2)
{
    struct stat st;
    struct mv_event e;
    size_t kept = 0;

    if (t->off || t->path[0] == '\0')
        return 0;
    if (tail->lines == NULL && (tail->lines = malloc(sizeof *tail->lines)) == NULL)
        return 0;
    if (tail->fd >= 0 && (stat(t->path, &st) == -1 ||
                          st.st_dev != tail->dev || st.st_ino != tail->ino)) {
        close(tail->fd);          /* replaced or removed: follow the name */
        tail->fd = -1;
    }
    if (tail->fd < 0 && !reopen(tail, t))
        return 0;
    if (fstat(tail->fd, &st) == -1)
        return 0;
    if (st.st_size < tail->pos) {  /* truncated: start over */
        tail->pos = 0;
        linebuf_reset(tail->lines, false, false);
    }
    off_t stop = st.st_size - tail->pos > TAIL_STEP
               ? tail->pos + TAIL_STEP : st.st_size;
    while (tail->pos < stop) {
        size_t room, n;
        char *at = linebuf_space(tail->lines, &room), *l;
        if ((off_t)room > stop - tail->pos)
            room = (size_t)(stop - tail->pos);
        ssize_t r = pread(tail->fd, at, room, tail->pos);
        if (r <= 0)
            break;
        tail->pos += r;
        linebuf_added(tail->lines, (size_t)r);
        while ((l = linebuf_next(tail->lines, &n, false)) != NULL) {
            if (tt_parse(l, n, object, object2, &e)) {
                push(t, &e);
                kept++;
            }
        }
    }
    return kept;
}
