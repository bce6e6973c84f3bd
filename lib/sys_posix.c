/* sys_posix.c — the POSIX side of the narration (sys.h): errno by name and
 * text with explain.c's hints, the heading, a forked child's own start,
 * reading a line with read(2), the signals that end a run, and the result
 * functions that read errno.
 */
#include "explain.h"
#include "kids.h"
#include "made.h"
#include "narrate.h"
#include "sys.h"
#include "trace.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

const char ml_sys_twin[] = "Win32";
const char ml_sys_twin_key[] = "win32";
const char ml_sys_ret_sep[] = " ";

void ml_sys_vformat(char *out, size_t outsz, const char *fmt, va_list ap)
{
    ml_vformat(out, outsz, fmt, ap);
}

void ml_sys_heading(void)
{
    const struct ml_prog *p = ml_this_run.prog;
    char object[1100];

    printf("%s%s%s: %s\n", ml_color("1"), p->name, ml_color("0"), p->summary);
    ml_format(object, sizeof object, "%s", ml_this_run.object ? ml_this_run.object : "");
    printf("  object %s   pid %ld   Win32: %s\n", object, (long)getpid(),
           p->win32);
}

/* The process whose start event is written: a forked child inherits the
 * library's state, and with it "started", but not its own start. */
static pid_t started_pid;

void ml_sys_started(void)
{
    started_pid = getpid();
}

/* A forked child's first event comes after a start of its own ("forked
 * from process N"), so that every process in the trace has a start before
 * its events and, once it ends, an exit.  Signal-safe. */
void ml_sys_before_event(void)
{
    struct trace_event e;
    pid_t me = getpid();

    if (!ml_this_run.started || started_pid == 0 || started_pid == me)
        return;
    char from[48] = "forked from process ", digits[24];
    long long n = (long long)getppid();
    size_t len = strlen(from), k = 0;
    do
        digits[k++] = (char)('0' + n % 10);
    while ((n /= 10) > 0 && k < sizeof digits);
    while (k > 0 && len + 1 < sizeof from)
        from[len++] = digits[--k];
    from[len] = '\0';
    started_pid = me;
    trace_begin(&e, ml_prog_name(), "start", ml_this_run.object);
    trace_str(&e, "message", from);
    trace_write(&e);
}

void ml_sys_before_call(void)
{
}

const char *ml_sys_error_name(long long err)
{
    return ml_errno_name((int)err);
}

void ml_sys_explain(const char *call, long long err, size_t span_len,
                    char *words, size_t wordsz, char *hint, size_t hintsz)
{
    char owner[256] = "", shown_owner[1024], object[1100];
    int e = (int)err;
    bool has_owner = (e == EEXIST || e == EACCES || e == EPERM || e == ELOOP) &&
                     ml_this_run.object != NULL &&
                     ml_describe_owner(ml_this_run.object, NULL, owner,
                                       sizeof owner) == 0;

    snprintf(words, wordsz, "%s (%s)", ml_errno_name(e), strerror(e));
    /* The hint names the object and its owner: both outside text. */
    if (ml_this_run.object)
        ml_format(object, sizeof object, "%s", ml_this_run.object);
    ml_format(shown_owner, sizeof shown_owner, "%s", owner);
    ml_hint(call, e, ml_this_run.object ? object : NULL,
            has_owner ? shown_owner : NULL, hint, hintsz);
    if (e == ENOMEM && span_len > 0 && strcmp(call, "mmap") == 0)
        ml_hint_nomem(span_len, hint, hintsz);
}

bool ml_sys_success_note(const char *call, long long err,
                         char *words, size_t wordsz)
{
    (void)call, (void)err, (void)words, (void)wordsz;
    return false;             /* errno means nothing after a success */
}

bool ml_read_line(void)
{
    char c;

    for (;;) {
        ssize_t n = read(STDIN_FILENO, &c, 1);
        if (n == 1 && c == '\n')
            return true;
        if (n == 0)
            return false;
        if (n == -1 && errno != EINTR)
            return false;
    }
}

/* ---- results: -1, MAP_FAILED or NULL and errno -------------------------- */

bool ml_result(long long ret)
{
    char s[32];
    int err = ret == -1 ? errno : 0;

    snprintf(s, sizeof s, "%lld", ret);
    bool ok = ml_report(s, err != 0, err, NULL);
    errno = err;
    return ok;
}

bool ml_result_ptr(const void *ret)
{
    char s[32];
    int err = ret == MAP_FAILED || ret == NULL ? errno : 0;

    if (ret == MAP_FAILED)
        snprintf(s, sizeof s, "MAP_FAILED");
    else if (ret == NULL)
        snprintf(s, sizeof s, "NULL");
    else
        snprintf(s, sizeof s, "%p", ret);
    if ((ret == MAP_FAILED || ret == NULL) && err == 0)
        err = EINVAL;        /* a NULL without errno: say something true-ish */
    bool ok = ml_report(s, err != 0, err, ret == MAP_FAILED ? NULL : ret);
    errno = err;
    return ok;
}

bool ml_result_err(int err)
{
    char s[16];

    snprintf(s, sizeof s, "%d", err);
    return ml_report(s, err != 0, err, NULL);
}

void ml_returned_ptr(const void *ret)
{
    char s[32];

    snprintf(s, sizeof s, "%p", ret);
    ml_report(s, false, 0, ret);
}

/* ---- a call no lesson is about failed ----------------------------------- */

void ml_fail_errno(const char *call)
{
    ml_fail_err(call, errno);
}

void ml_fail_err(const char *call, int err)
{
    ml_error("%s failed: %s (%s)", call, ml_errno_name(err), strerror(err));
    ml_exit(ML_FAILED);
}

/* ---- signals ------------------------------------------------------------ */

static void put(const char *s)
{
    if (write(STDERR_FILENO, s, strlen(s)) < 0)
        return;
}

/* Everything here is async-signal-safe: the trace writer makes no stdio or
 * malloc calls, and the note is written with write(2). */
static void on_signal(int sig)
{
    struct trace_event e;
    const char *name = sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM"
                                                                 : "SIGHUP";
    int saved = errno;

    ml_kids_kill_all(ml_prog_name());
    ml_trace_start();
    ml_event_begin(&e, "exit");
    trace_int(&e, "status", 128 + sig);
    trace_str(&e, "message", name);
    trace_write(&e);
    put("\n");
    put(ml_prog_name());
    put(": stopped by ");
    put(name);
    put("; the kernel unmaps and closes what this process had open.");
    if (ml_made_take_back_now() == 0)
        put(" A named object stays until shm_unlink (05-close removes it).\n");
    errno = saved;
    signal(sig, SIG_DFL);
    raise(sig);
}

void ml_catch_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    ml_kids_stop_signals(&sa.sa_mask);   /* one stop at a time */
    for (int i = 0; i < 3; i++) {
        int sig = (int[]){ SIGINT, SIGTERM, SIGHUP }[i];
        struct sigaction old;
        /* A signal ignored on entry (a background job, nohup) stays ignored. */
        if (sigaction(sig, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaction(sig, &sa, NULL);
    }
}
