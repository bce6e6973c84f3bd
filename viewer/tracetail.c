/* tracetail.c — the last events of the programs' trace, for this object.
 *
 * The trace is the file the programs append to (--trace, $MMAPLAB_TRACE, or
 * the per-user default of lessons/trace.md).  It is read from where the last
 * read stopped; a line is taken only once its newline is there (each event
 * is one write, but a reader can still land between two).  A trace that is
 * replaced or truncated is followed.
 */
#include "model_parts.h"
#include "json.h"
#include "linebuf.h"
#include "trace.h"

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

void tt_init(struct mv_model *m, const char *flag)
{
    struct mv_trace *t = &m->s.trace;
    const char *path = flag && flag[0] ? flag : getenv("MMAPLAB_TRACE");

    m->trace_fd = -1;
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

void tt_close(struct mv_model *m)
{
    if (m->trace_fd >= 0)
        close(m->trace_fd);
    m->trace_fd = -1;
    free(m->lines);
    m->lines = NULL;
}

static void str_field(const struct json_obj *o, const char *key, char *out,
                      size_t n)
{
    const char *v = json_str(o, key);
    snprintf(out, n, "%s", v ? v : "");
}

static long long int_field(const struct json_obj *o, const char *key)
{
    const struct json_field *f = json_get(o, key);
    return f && f->type == JSON_NUMBER && f->is_int ? f->num : 0;
}

bool tt_parse(const char *line, size_t n, const char *object,
              const char *object2, struct mv_event *e)
{
    struct json_obj o;

    if (n >= sizeof e->raw || json_parse(line, n, &o) == -1)
        return false;
    const char *obj = json_str(&o, "object");
    if (obj == NULL || (strcmp(obj, object) != 0 &&
                        (object2 == NULL || strcmp(obj, object2) != 0)))
        return false;

    memset(e, 0, offsetof(struct mv_event, raw));
    memcpy(e->raw, line, n);
    e->raw[n] = '\0';
    e->ts_ns = int_field(&o, "ts_ns");
    e->pid = int_field(&o, "pid");
    str_field(&o, "prog", e->prog, sizeof e->prog);
    str_field(&o, "event", e->event, sizeof e->event);
    str_field(&o, "step", e->step, sizeof e->step);
    str_field(&o, "call", e->call, sizeof e->call);

    const char *args = json_str(&o, "args"), *ret = json_str(&o, "ret");
    const char *err = json_str(&o, "errno"), *msg = json_str(&o, "message");
    const struct json_field *exp = json_get(&o, "expected");
    bool expected = exp && exp->type == JSON_BOOL && exp->b;
    if (strcmp(e->event, "call") == 0) {
        e->failed = err != NULL && strcmp(err, "0") != 0 && !expected;
        snprintf(e->detail, sizeof e->detail, "(%s) = %s%s%s%s", args ? args : "",
                 ret ? ret : "?", err && strcmp(err, "0") != 0 ? " " : "",
                 err && strcmp(err, "0") != 0 ? err : "",
                 expected ? " (expected)" : "");
    } else if (strcmp(e->event, "exit") == 0) {
        long long st = int_field(&o, "status");
        e->failed = st != 0;
        snprintf(e->detail, sizeof e->detail, "status %lld", st);
    } else if (msg != NULL) {
        e->failed = strcmp(e->event, "error") == 0;
        snprintf(e->detail, sizeof e->detail, "%s", msg);
    }
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

static void line(struct mv_model *m, const char *l, size_t n)
{
    struct mv_event e;
    const char *object2 = m->s.kind == MV_FILE ? m->s.path : NULL;

    if (tt_parse(l, n, m->s.target, object2, &e)) {
        push(&m->s.trace, &e);
        double now = mv_now_ms();
        if (now - m->trace_scan_ms >= TRACE_SCAN_GAP_MS) {
            m->want_slow = true;      /* a program did something: look now */
            m->trace_scan_ms = now;
        }
    }
}

static bool reopen(struct mv_model *m)
{
    struct mv_trace *t = &m->s.trace;
    struct stat st;

    m->trace_fd = open(t->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (m->trace_fd == -1) {
        if (errno == ENOENT)
            snprintf(t->note, sizeof t->note, "no trace file yet");
        else
            snprintf(t->note, sizeof t->note, "the trace cannot be read: %s",
                     strerror(errno));
        return false;
    }
    if (fstat(m->trace_fd, &st) == -1 || !S_ISREG(st.st_mode)) {
        snprintf(t->note, sizeof t->note, "the trace is not a regular file");
        close(m->trace_fd);
        m->trace_fd = -1;
        return false;
    }
    t->note[0] = '\0';
    m->trace_dev = st.st_dev;
    m->trace_ino = st.st_ino;
    m->trace_pos = st.st_size > TAIL_START ? st.st_size - TAIL_START : 0;
    linebuf_reset(m->lines, false, m->trace_pos > 0);   /* maybe inside a line */
    return true;
}

void tt_sample(struct mv_model *m)
{
    struct mv_trace *t = &m->s.trace;
    struct stat st;

    if (t->off || t->path[0] == '\0')
        return;
    if (m->lines == NULL && (m->lines = malloc(sizeof *m->lines)) == NULL)
        return;
    if (m->trace_fd >= 0 && (stat(t->path, &st) == -1 ||
                             st.st_dev != m->trace_dev || st.st_ino != m->trace_ino)) {
        close(m->trace_fd);           /* replaced or removed: follow the name */
        m->trace_fd = -1;
    }
    if (m->trace_fd < 0 && !reopen(m))
        return;
    if (fstat(m->trace_fd, &st) == -1)
        return;
    if (st.st_size < m->trace_pos) {  /* truncated: start over */
        m->trace_pos = 0;
        linebuf_reset(m->lines, false, false);
    }
    off_t stop = st.st_size - m->trace_pos > TAIL_STEP
               ? m->trace_pos + TAIL_STEP : st.st_size;
    while (m->trace_pos < stop) {
        size_t room, n;
        char *at = linebuf_space(m->lines, &room), *l;
        if ((off_t)room > stop - m->trace_pos)
            room = (size_t)(stop - m->trace_pos);
        ssize_t r = pread(m->trace_fd, at, room, m->trace_pos);
        if (r <= 0)
            break;
        m->trace_pos += r;
        linebuf_added(m->lines, (size_t)r);
        while ((l = linebuf_next(m->lines, &n, false)) != NULL)
            line(m, l, n);
    }
}
