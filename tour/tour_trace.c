/* tour_trace.c — reading the tour's trace as it grows.
 *
 * A line is taken only once its newline is there (linebuf.h).  inotify wakes the
 * tour's poll when a program appends, so a step ends as soon as its
 * program stops, and the file is still read on every pass in case a
 * wake-up was missed.
 */
#include "tour_trace.h"
#include "traceline.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

int tour_trace_open(struct tour_trace *t, const char *path, struct stat *made,
                    char *why, size_t whysz)
{
    memset(t, 0, sizeof t[0]);
    t->fd = t->watch = -1;
    linebuf_reset(&t->lines, false, false);
    int w = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (w == -1) {
        snprintf(why, whysz, "cannot make the trace %s: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(w, made) == -1) {
        snprintf(why, whysz, "cannot look at the trace %s: %s", path, strerror(errno));
        close(w);
        unlink(path);
        return -1;
    }
    close(w);
    t->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);
    struct stat st;
    if (t->fd == -1 || fstat(t->fd, &st) == -1 || st.st_dev != made->st_dev ||
        st.st_ino != made->st_ino) {
        snprintf(why, whysz, "cannot read the trace %s: %s", path,
                 t->fd == -1 ? strerror(errno) : "it was replaced as soon as it was made");
        return -1;
    }
    t->watch = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (t->watch >= 0 && inotify_add_watch(t->watch, path, IN_MODIFY) == -1) {
        close(t->watch);
        t->watch = -1;
    }
    return 0;
}

void tour_trace_drain_watch(struct tour_trace *t)
{
    char buf[4096];

    if (t->watch < 0)
        return;
    while (read(t->watch, buf, sizeof buf) > 0)
        ;
}

static void copy(char *out, size_t n, const char *in)
{
    snprintf(out, n, "%s", in ? in : "");
}

static bool parse(const char *line, size_t n, struct tour_event *e)
{
    json_t *o = traceline_read(line, n, NULL);

    if (o == NULL)
        return false;
    memset(e, 0, sizeof *e);
    e->pid = traceline_int(o, "pid");
    e->ts_ns = traceline_int(o, "ts_ns");
    e->status = (int)traceline_int(o, "status");
    copy(e->prog, sizeof e->prog, traceline_str(o, "prog"));
    copy(e->event, sizeof e->event, traceline_str(o, "event"));
    copy(e->step, sizeof e->step, traceline_str(o, "step"));
    copy(e->call, sizeof e->call, traceline_str(o, "call"));
    copy(e->message, sizeof e->message, traceline_str(o, "message"));
    json_decref(o);
    return e->pid > 0 && e->event[0] != '\0';
}

int tour_trace_next(struct tour_trace *t, struct tour_event *e)
{
    for (;;) {
        size_t n, room;
        char *l = linebuf_next(&t->lines, &n, false);
        if (l != NULL) {
            if (parse(l, n, e))
                return 1;
            continue;           /* not an event: nothing the tour can use */
        }
        if (t->fd < 0)
            return 0;
        char *at = linebuf_space(&t->lines, &room);
        ssize_t r = read(t->fd, at, room);
        if (r <= 0)
            return 0;
        linebuf_added(&t->lines, (size_t)r);
    }
}

void tour_trace_close(struct tour_trace *t)
{
    if (t->fd >= 0)
        close(t->fd);
    if (t->watch >= 0)
        close(t->watch);
    memset(t, 0, sizeof *t);
    t->fd = t->watch = -1;
}
