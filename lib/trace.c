/* trace.c — the trace writer.
 *
 * Each event is built in a buffer on the caller's stack and appended with a
 * single write(2) on an O_APPEND descriptor: the kernel then places every
 * event whole at the end of the file, so the events of several processes
 * (03-copy and 04-open, a parent and its children) never interleave.
 * Nothing on the write path calls stdio or malloc: it runs in signal
 * handlers too.
 */
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int trace_fd = -1;
static bool warned;
static char trace_file[4096];
static const char *trace_prog = "mmaplab";

void trace_begin(struct trace_event *e, const char *prog, const char *event,
                 const char *object)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    trace_event_start(e, (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec,
                      (long long)getpid(), prog, event, object);
}

/* One warning per process, written without stdio. */
static void warn_once(const char *what, const char *detail)
{
    if (warned)
        return;
    warned = true;
    const char *parts[] = { trace_prog, ": warning: trace ", what,
                            detail ? ": " : "", detail ? detail : "",
                            "; the trace is off (the program goes on)\n" };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        if (write(STDERR_FILENO, parts[i], strlen(parts[i])) < 0)
            break;
}

void trace_write(struct trace_event *e)
{
    if (trace_fd < 0)
        return;
    size_t n = trace_event_end(e);
    int saved = errno;
    ssize_t w = write(trace_fd, e->buf, n);
    if (w != (ssize_t)n) {
        warn_once(w < 0 ? "write failed" : "write was short",
                  w < 0 ? strerror(errno) : NULL);
        close(trace_fd);
        trace_fd = -1;
    }
    errno = saved;
}

/* Is path a real directory (not a link) owned by uid?  why says what is
 * wrong with it otherwise. */
static int own_dir(const char *path, uid_t uid, char *why, size_t whysz)
{
    struct stat st;

    if (lstat(path, &st) == -1) {
        snprintf(why, whysz, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (S_ISLNK(st.st_mode)) {
        snprintf(why, whysz, "%s is a symbolic link, not a directory", path);
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(why, whysz, "%s is not a directory", path);
        return -1;
    }
    if (st.st_uid != uid) {
        snprintf(why, whysz, "%s belongs to uid %ld, not to you (uid %ld)",
                 path, (long)st.st_uid, (long)uid);
        return -1;
    }
    return 0;
}

/* Make dir 0700 if it is missing, then insist that it is ours, a real
 * directory, and closed to others. */
static int private_dir(const char *dir, uid_t uid, char *why, size_t whysz)
{
    struct stat st;

    if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
        snprintf(why, whysz, "cannot make %s: %s", dir, strerror(errno));
        return -1;
    }
    if (own_dir(dir, uid, why, whysz) == -1)
        return -1;
    if (lstat(dir, &st) == 0 && (st.st_mode & 077) != 0 &&
        chmod(dir, 0700) == -1) {
        snprintf(why, whysz, "%s is open to others and cannot be made 0700: %s",
                 dir, strerror(errno));
        return -1;
    }
    return 0;
}

int trace_default_path(const char *xdg, const char *tmp, uid_t uid,
                       char *out, size_t outsz, char *why, size_t whysz)
{
    char dir[4096], ignored[512];

    if (xdg != NULL && xdg[0] == '/' &&
        own_dir(xdg, uid, ignored, sizeof ignored) == 0) {
        snprintf(dir, sizeof dir, "%s/mmaplab", xdg);
    } else {
        snprintf(dir, sizeof dir, "%s/mmaplab-%ld", tmp ? tmp : "/tmp",
                 (long)uid);
    }
    if (private_dir(dir, uid, why, whysz) == -1)
        return -1;
    if ((size_t)snprintf(out, outsz, "%s/trace.jsonl", dir) >= outsz) {
        snprintf(why, whysz, "the path %s/trace.jsonl is too long", dir);
        return -1;
    }
    return 0;
}

void trace_open(const char *prog, const char *flag, const char *env)
{
    const char *path = flag && flag[0] ? flag : env && env[0] ? env : NULL;
    char why[4400];
    int flags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC;
    mode_t mode = 0666;   /* a file the user named: their umask decides */

    trace_prog = prog;
    trace_close();
    if (path != NULL && strcmp(path, "off") == 0)
        return;
    if (path == NULL) {
        if (trace_default_path(getenv("XDG_RUNTIME_DIR"), "/tmp", getuid(),
                               trace_file, sizeof trace_file, why,
                               sizeof why) == -1) {
            warn_once("directory unsafe", why);
            return;
        }
        /* In the per-user directory nothing may be a link. */
        flags |= O_NOFOLLOW;
        mode = 0600;
    } else {
        snprintf(trace_file, sizeof trace_file, "%s", path);
    }
    trace_fd = open(trace_file, flags, mode);
    if (trace_fd == -1) {
        snprintf(why, sizeof why, "%s: %s", trace_file, strerror(errno));
        warn_once("cannot be opened", why);
        return;
    }
    /* Keep the descriptor clear of 0-2, which a parent may have closed. */
    if (trace_fd <= 2) {
        int fd = fcntl(trace_fd, F_DUPFD_CLOEXEC, 3);
        close(trace_fd);
        trace_fd = fd;
    }
}

bool trace_on(void)
{
    return trace_fd >= 0;
}

const char *trace_path(void)
{
    return trace_fd >= 0 ? trace_file : NULL;
}

void trace_close(void)
{
    if (trace_fd >= 0)
        close(trace_fd);
    trace_fd = -1;
}
