/* narrate.c — one line per call, step headings, holds, explained errors,
 * and the trace events that record them.
 *
 * Every text a program hands in is formatted with ml_vformat, so that each
 * %s in it (a name, a message, a path) reaches the terminal escaped; what is
 * printed here raw is only the library's own words and its colour codes.
 */
#include "narrate.h"
#include "explain.h"
#include "kids.h"
#include "made.h"
#include "trace.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static char step_now[32];

/* The call announced by ml_call, waiting for its result. */
static struct {
    char call[48];
    char win32[256];
    char args[1400];
    const void *addr;
    size_t len;
    long long offset;
    bool span;
    int expect;             /* the errno it is meant to fail with, or 0 */
    bool failed_as_expected;
} pending;

/* Each code is made once and kept: a printf may use any number of them
 * (a rotation of a few buffers let a later call overwrite an earlier one
 * before printf read it). */
const char *ml_color(const char *sgr)
{
    static struct { char sgr[8]; char code[16]; } made[16];
    static int n;

    if (!ml_this_run.color)
        return "";
    for (int i = 0; i < n; i++)
        if (strcmp(made[i].sgr, sgr) == 0)
            return made[i].code;
    if (n == (int)(sizeof made / sizeof made[0]) || strlen(sgr) >= sizeof made[0].sgr)
        return "";              /* not one of the library's few codes */
    snprintf(made[n].sgr, sizeof made[n].sgr, "%s", sgr);
    snprintf(made[n].code, sizeof made[n].code, "\033[%sm", sgr);
    return made[n++].code;
}

const char *ml_plural(long long n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

static bool quiet(void)
{
    return ml_this_run.opts.quiet;
}

static const char *prog_name(void)
{
    return ml_this_run.prog ? ml_this_run.prog->name : "mmaplab";
}

/* The process whose start event is written: a forked child inherits the
 * library's state, and with it "started", but not its own start. */
static pid_t started_pid;

/* Signal-safe: only the trace event. */
void ml_trace_start(void)
{
    struct trace_event e;

    if (ml_this_run.started)
        return;
    ml_this_run.started = true;
    started_pid = getpid();
    trace_begin(&e, prog_name(), "start", ml_this_run.object);
    trace_write(&e);
}

/* Begin an event.  A forked child's first event comes after a start of its
 * own ("forked from process N"), so that every process in the trace has a
 * start before its events and, once it ends, an exit.  Signal-safe. */
static void begin(struct trace_event *e, const char *event)
{
    pid_t me = getpid();

    if (ml_this_run.started && started_pid != 0 && started_pid != me) {
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
        trace_begin(e, prog_name(), "start", ml_this_run.object);
        trace_str(e, "message", from);
        trace_write(e);
    }
    trace_begin(e, prog_name(), event, ml_this_run.object);
}

void ml_announce(void)
{
    const struct ml_prog *p = ml_this_run.prog;

    if (ml_this_run.started)
        return;
    ml_trace_start();
    if (quiet() || p == NULL)
        return;
    printf("%s%s%s: %s\n", ml_color("1"), p->name, ml_color("0"), p->summary);
    char object[1100];
    ml_format(object, sizeof object, "%s", ml_this_run.object ? ml_this_run.object : "");
    printf("  object %s   pid %ld   Win32: %s\n", object, (long)getpid(),
           p->win32);
}

void ml_trace_simple(const char *event, const char *message)
{
    struct trace_event e;

    ml_announce();
    begin(&e, event);
    if (message)
        trace_str(&e, "message", message);
    trace_write(&e);
}

void ml_step(const char *step, const char *fmt, ...)
{
    char msg[1400];
    va_list ap;
    struct trace_event e;

    ml_announce();
    va_start(ap, fmt);
    ml_vformat(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(step_now, sizeof step_now, "%s", step);
    if (!quiet())
        printf("\n%s[%s]%s %s\n", ml_color("1;36"), step, ml_color("0"), msg);
    begin(&e, "step");
    trace_str(&e, "step", step);
    trace_str(&e, "message", msg);
    trace_write(&e);
}

/* One indented line of narration (quiet under -q) or of results (never). */
static void say_line(bool result, const char *fmt, va_list ap)
{
    char msg[1400];

    ml_announce();
    if (quiet() && !result)
        return;
    ml_vformat(msg, sizeof msg, fmt, ap);
    printf("  %s\n", msg);
}

void ml_say(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    say_line(false, fmt, ap);
    va_end(ap);
}

void ml_show(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    say_line(true, fmt, ap);
    va_end(ap);
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

/* A pause: record "hold", wait for a line, record "resume". */
static void pause_here(const char *why)
{
    fflush(stdout);
    ml_trace_simple("hold", why);
    bool line = ml_read_line();
    ml_trace_simple("resume", line ? "a line was read" : "end of input");
}

void ml_call(const char *call, const char *win32, const char *argsfmt, ...)
{
    va_list ap;

    ml_announce();
    memset(&pending, 0, sizeof pending);
    snprintf(pending.call, sizeof pending.call, "%s", call);
    snprintf(pending.win32, sizeof pending.win32, "%s", win32);
    va_start(ap, argsfmt);
    ml_vformat(pending.args, sizeof pending.args, argsfmt, ap);
    va_end(ap);
    pending.offset = -1;

    if (ml_this_run.opts.step) {
        char why[1500];
        printf("  %snext:%s %s(%s)   -- press Enter to run it\n", ml_color("33"),
               ml_color("0"), pending.call, pending.args);
        snprintf(why, sizeof why, "before %s(%s)", pending.call, pending.args);
        pause_here(why);
    }
    /* A fork or exec may follow: nothing may be left in the buffer. */
    fflush(stdout);
}

void ml_call_range(const void *addr, size_t len, long long offset)
{
    pending.addr = addr;
    pending.len = len;
    pending.offset = offset;
    pending.span = true;
}

void ml_expect(int err)
{
    pending.expect = err;
}

bool ml_failed_as_expected(void)
{
    return pending.failed_as_expected;
}

/* Narrate and record the pending call's result.  err is 0 on success. */
static bool report(const char *ret, int err, const void *addr_result)
{
    struct trace_event e;
    char hint[2048] = "", owner[256] = "", shown_owner[1024], object[1100];
    bool expected = err != 0 && err == pending.expect;
    const char *errname = err ? ml_errno_name(err) : "0";

    ml_announce();
    pending.failed_as_expected = expected;
    if (err != 0) {
        bool has_owner = (err == EEXIST || err == EACCES || err == EPERM ||
                          err == ELOOP) &&
                         ml_this_run.object != NULL &&
                         ml_describe_owner(ml_this_run.object, NULL, owner,
                                           sizeof owner) == 0;
        /* The hint names the object and its owner: both outside text. */
        if (ml_this_run.object)
            ml_format(object, sizeof object, "%s", ml_this_run.object);
        ml_format(shown_owner, sizeof shown_owner, "%s", owner);
        ml_hint(pending.call, err, ml_this_run.object ? object : NULL,
                has_owner ? shown_owner : NULL, hint, sizeof hint);
        if (err == ENOMEM && pending.span && strcmp(pending.call, "mmap") == 0)
            ml_hint_nomem(pending.len, hint, sizeof hint);
    }

    if (!quiet() || (err && !expected)) {
        if (err == 0)
            printf("  %s%s%s(%s) = %s%s%s   %s[Win32: %s]%s\n", ml_color("1"),
                   pending.call, ml_color("0"), pending.args, ml_color("32"), ret,
                   ml_color("0"), ml_color("2"), pending.win32, ml_color("0"));
        else
            printf("  %s%s%s(%s) = %s%s %s (%s)%s   %s[Win32: %s]%s\n",
                   ml_color("1"), pending.call, ml_color("0"), pending.args,
                   ml_color(expected ? "33" : "31"), ret, errname, strerror(err),
                   ml_color("0"), ml_color("2"), pending.win32, ml_color("0"));
    }
    if (expected) {
        if (!quiet())
            printf("  %sexpected:%s this failure is the point: %s\n",
                   ml_color("33"), ml_color("0"), hint);
    } else if (err != 0) {
        fflush(stdout);
        fprintf(stderr, "%s: error: %s failed: %s (%s)\n%s: next: %s\n",
                prog_name(), pending.call, errname, strerror(err),
                prog_name(), hint);
    } else if (pending.expect != 0 && !quiet()) {
        printf("  %snote:%s it was expected to fail with %s, and did not\n",
               ml_color("33"), ml_color("0"), ml_errno_name(pending.expect));
    }

    begin(&e, "call");
    trace_str(&e, "step", step_now);
    trace_str(&e, "call", pending.call);
    trace_str(&e, "args", pending.args);
    trace_str(&e, "ret", ret);
    trace_str(&e, "errno", errname);
    trace_str(&e, "win32", pending.win32);
    trace_bool(&e, "expected", pending.expect != 0);
    if (pending.span) {
        const void *a = pending.addr ? pending.addr : addr_result;
        if (a) {
            char hex[32];
            snprintf(hex, sizeof hex, "%p", a);
            trace_str(&e, "addr", hex);
        }
        trace_int(&e, "len", (long long)pending.len);
        if (pending.offset >= 0)
            trace_int(&e, "offset", pending.offset);
    }
    trace_write(&e);

    if (err != 0 && !expected) {
        char msg[2400];
        snprintf(msg, sizeof msg, "%s failed: %s (%s); %s", pending.call,
                 errname, strerror(err), hint);
        ml_trace_simple("error", msg);
    }
    return err == 0;
}

bool ml_result(long long ret)
{
    char s[32];
    int err = ret == -1 ? errno : 0;

    snprintf(s, sizeof s, "%lld", ret);
    bool ok = report(s, err, NULL);
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
    bool ok = report(s, err, ret == MAP_FAILED ? NULL : ret);
    errno = err;
    return ok;
}

void ml_returned_ptr(const void *ret)
{
    char s[32];

    snprintf(s, sizeof s, "%p", ret);
    report(s, 0, ret);
}

bool ml_result_err(int err)
{
    char s[16];

    snprintf(s, sizeof s, "%d", err);
    return report(s, err, NULL);
}

void ml_hold(const char *fmt, ...)
{
    char why[1400];
    va_list ap;

    ml_announce();
    va_start(ap, fmt);
    ml_vformat(why, sizeof why, fmt, ap);
    va_end(ap);
    if (!ml_this_run.opts.hold) {
        if (!quiet())
            printf("\n%s[hold]%s %s\n  (--no-hold: going on without waiting)\n",
                   ml_color("1;35"), ml_color("0"), why);
        return;
    }
    /* A hold waits for the user: it says so even under -q, or the
     * terminal would look hung. */
    if (!quiet())
        printf("\n%s[hold]%s %s\n  Press Enter to go on.\n", ml_color("1;35"),
               ml_color("0"), why);
    else
        printf("%s[hold]%s press Enter to go on\n", ml_color("1;35"), ml_color("0"));
    pause_here(why);
}

void ml_dump(const void *p, size_t n, long long offset)
{
    char buf[4096];

    ml_announce();
    if (quiet())
        return;
    if (n > 128)
        n = 128;
    ml_hexdump(buf, sizeof buf, p, n, offset, "    ");
    fputs(buf, stdout);
}

void ml_next(const char *fmt, ...)
{
    char msg[1400];
    va_list ap;

    ml_announce();
    if (quiet())
        return;
    va_start(ap, fmt);
    ml_vformat(msg, sizeof msg, fmt, ap);
    va_end(ap);
    printf("\n%sNext:%s %s\n", ml_color("1;32"), ml_color("0"), msg);
}

void ml_error(const char *fmt, ...)
{
    char msg[1400];
    va_list ap;

    ml_announce();
    va_start(ap, fmt);
    ml_vformat(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fflush(stdout);
    fprintf(stderr, "%s: error: %s\n", prog_name(), msg);
    ml_trace_simple("error", msg);
}

void ml_fail_errno(const char *call)
{
    ml_fail_err(call, errno);
}

void ml_fail_err(const char *call, int err)
{
    ml_error("%s failed: %s (%s)", call, ml_errno_name(err), strerror(err));
    ml_exit(ML_FAILED);
}

void ml_must(bool ok)
{
    if (!ok)
        ml_exit(ML_FAILED);
}

void ml_exit(int status)
{
    struct trace_event e;

    ml_announce();
    fflush(stdout);
    begin(&e, "exit");
    trace_int(&e, "status", status);
    trace_write(&e);
    exit(status);
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

    ml_kids_kill_all(prog_name());
    ml_trace_start();
    begin(&e, "exit");
    trace_int(&e, "status", 128 + sig);
    trace_str(&e, "message", name);
    trace_write(&e);
    put("\n");
    put(prog_name());
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
