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

/* What kind of file st is, for a refusal. */
static const char *kind_of(mode_t m)
{
    return S_ISFIFO(m) ? "a FIFO (named pipe)" : S_ISSOCK(m) ? "a socket"
         : S_ISDIR(m) ? "a directory" : S_ISBLK(m) ? "a block device"
         : S_ISCHR(m) ? "a character device" : S_ISLNK(m) ? "a symbolic link"
         : "not a regular file";
}

/* Why st, the file at trace_file, may not receive the trace. */
static void refusal(const struct stat *st, bool own, char *why, size_t whysz)
{
    if (S_ISREG(st->st_mode))
        snprintf(why, whysz, "%s belongs to uid %ld, not to you (uid %ld): "
                 "your trace is not written into a file someone else made; "
                 "remove it if it is a leftover (rm %s), or use --trace FILE",
                 trace_file, (long)st->st_uid, (long)getuid(), trace_file);
    else
        snprintf(why, whysz, "%s is %s, not a regular file: the trace goes "
                 "only to a regular file%s, never to what could block the "
                 "program or hand its trace to someone else; remove it "
                 "(rm %s), or use --trace FILE", trace_file, kind_of(st->st_mode),
                 own ? " of your own" : " or a character device such as /dev/null",
                 trace_file);
}

/* Is what fd opened fit to receive the trace?  In the per-user directory
 * (own) only a regular file of the user's own; a path the user named may
 * also be a character device (/dev/null, /dev/stderr, a terminal).  Never
 * a FIFO or a socket: a write there can wait for a reader for ever. */
static int fit_for_trace(int fd, bool own, char *why, size_t whysz)
{
    struct stat st;

    if (fstat(fd, &st) == -1) {
        snprintf(why, whysz, "%s: %s", trace_file, strerror(errno));
        return -1;
    }
    if (S_ISREG(st.st_mode) && (!own || st.st_uid == getuid()))
        return 0;
    if (S_ISCHR(st.st_mode) && !own)
        return 0;
    refusal(&st, own, why, whysz);
    return -1;
}

void trace_open(const char *prog, const char *flag, const char *env)
{
    const char *path = flag && flag[0] ? flag : env && env[0] ? env : NULL;
    char why[8800];
    /* O_NONBLOCK: opening a FIFO never waits for a reader (it is refused
     * below); it is cleared again once the file is known to be fit. */
    int flags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK;
    mode_t mode = 0666;   /* a file the user named: their umask decides */
    bool own = path == NULL;

    trace_prog = prog;
    trace_close();
    if (path != NULL && strcmp(path, "off") == 0)
        return;
    if (own) {
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
        struct stat st;
        /* ENXIO: a FIFO nobody reads; ELOOP: a link O_NOFOLLOW refused. */
        if ((errno == ENXIO || errno == ELOOP) &&
            (own ? lstat(trace_file, &st) : stat(trace_file, &st)) == 0) {
            refusal(&st, own, why, sizeof why);
            warn_once("cannot be opened", why);
            return;
        }
            snprintf(why, sizeof why, "%s: %s", trace_file, strerror(errno));
        warn_once("cannot be opened", why);
        return;
    }
    int fit = fit_for_trace(trace_fd, own, why, sizeof why);
    if (fit == 0 && fcntl(trace_fd, F_SETFL, O_APPEND) == -1) {
        snprintf(why, sizeof why, "%s: %s", trace_file, strerror(errno));
        fit = -1;
    }
    if (fit == -1) {
        close(trace_fd);
        trace_fd = -1;
        warn_once("refused", why);
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
