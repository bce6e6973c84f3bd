/* narrate.c — one line per call, step headings, holds, explained errors,
 * and the trace events that record them: the narration both tracks share.
 *
 * What differs between POSIX and Win32 (the error's name and words, the
 * heading, how a line is read, a forked child's start) is asked of sys.h;
 * this file calls nothing but stdio and the trace.  Every text a program
 * hands in goes through ml_sys_vformat, which on POSIX escapes each %s in
 * it (a name, a message, a path) for the terminal; what is printed here raw
 * is only the library's own words and its colour codes.
 */
#include "narrate.h"
#include "sys.h"
#include "event.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ml_run_state ml_this_run;

static char step_now[32];

/* The call announced by ml_call, waiting for its result. */
static struct {
    char call[48];
    char twin[256];
    char args[1400];
    const void *addr;
    size_t len;
    long long offset;
    bool span;
    long long expect;       /* the error it is meant to fail with, or 0 */
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

const char *ml_prog_name(void)
{
    return ml_this_run.prog ? ml_this_run.prog->name : "mmaplab";
}

/* A line of narration, flushed at once: a test waiting on a line must see
 * it when it is printed (on POSIX stdout is line-buffered and this flush
 * finds nothing left; msvcrt has no line buffering). */
static void out(const char *fmt, ...) ML_PRINTF(1, 2);
static void out(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fflush(stdout);
}

/* An error on stderr, after what stdout still holds. */
static void out_err(const char *fmt, ...) ML_PRINTF(1, 2);
static void out_err(const char *fmt, ...)
{
    va_list ap;

    fflush(stdout);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fflush(stderr);
}

/* Signal-safe: only the trace event. */
void ml_trace_start(void)
{
    struct trace_event e;

    if (ml_this_run.started)
        return;
    ml_this_run.started = true;
    ml_sys_started();
    trace_begin(&e, ml_prog_name(), "start", ml_this_run.object);
    trace_write(&e);
}

void ml_event_begin(struct trace_event *e, const char *event)
{
    ml_sys_before_event();
    trace_begin(e, ml_prog_name(), event, ml_this_run.object);
}

void ml_announce(void)
{
    if (ml_this_run.started)
        return;
    ml_trace_start();
    if (quiet() || ml_this_run.prog == NULL)
        return;
    ml_sys_heading();
}

void ml_trace_simple(const char *event, const char *message)
{
    struct trace_event e;

    ml_announce();
    ml_event_begin(&e, event);
    if (message)
        trace_str(&e, "message", message);
    trace_write(&e);
}

void ml_set_object(const char *object)
{
    ml_this_run.object = object;
}

void ml_step(const char *step, const char *fmt, ...)
{
    char msg[1400];
    va_list ap;
    struct trace_event e;

    ml_announce();
    va_start(ap, fmt);
    ml_sys_vformat(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(step_now, sizeof step_now, "%s", step);
    if (!quiet())
        out("\n%s[%s]%s %s\n", ml_color("1;36"), step, ml_color("0"), msg);
    ml_event_begin(&e, "step");
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
    ml_sys_vformat(msg, sizeof msg, fmt, ap);
    out("  %s\n", msg);
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

/* A pause: record "hold", wait for a line, record "resume". */
static void pause_here(const char *why)
{
    fflush(stdout);
    ml_trace_simple("hold", why);
    bool line = ml_read_line();
    ml_trace_simple("resume", line ? "a line was read" : "end of input");
}

void ml_call(const char *call, const char *twin, const char *argsfmt, ...)
{
    va_list ap;

    ml_announce();
    memset(&pending, 0, sizeof pending);
    snprintf(pending.call, sizeof pending.call, "%s", call);
    snprintf(pending.twin, sizeof pending.twin, "%s", twin);
    va_start(ap, argsfmt);
    ml_sys_vformat(pending.args, sizeof pending.args, argsfmt, ap);
    va_end(ap);
    pending.offset = -1;

    if (ml_this_run.opts.step) {
        char why[1500];
        out("  %snext:%s %s(%s)   -- press Enter to run it\n", ml_color("33"),
            ml_color("0"), pending.call, pending.args);
        snprintf(why, sizeof why, "before %s(%s)", pending.call, pending.args);
        pause_here(why);
    }
    /* A fork, an exec or a child may follow: nothing may be left in the
     * buffer. */
    fflush(stdout);
    ml_sys_before_call();
}

void ml_call_range(const void *addr, size_t len, long long offset)
{
    pending.addr = addr;
    pending.len = len;
    pending.offset = offset;
    pending.span = true;
}

void ml_expect(long long err)
{
    pending.expect = err;
}

bool ml_failed_as_expected(void)
{
    return pending.failed_as_expected;
}

bool ml_report(const char *ret, bool failed, long long err,
               const void *addr_result)
{
    struct trace_event e;
    char hint[2048] = "", words[1024] = "";
    bool expected = failed && pending.expect != 0 && err == pending.expect;
    bool noted = !failed && ml_sys_success_note(pending.call, err, words,
                                                sizeof words);
    const char *errname = failed || noted ? ml_sys_error_name(err) : "0";

    ml_announce();
    pending.failed_as_expected = expected;
    if (failed)
        ml_sys_explain(pending.call, err, pending.span ? pending.len : 0,
                       words, sizeof words, hint, sizeof hint);

    if (!quiet() || (failed && !expected))
        out("  %s%s%s(%s) = %s%s%s%s%s   %s[%s: %s]%s\n", ml_color("1"),
            pending.call, ml_color("0"), pending.args,
            ml_color(!failed ? "32" : expected ? "33" : "31"), ret,
            failed || noted ? ml_sys_ret_sep : "", words, ml_color("0"),
            ml_color("2"), ml_sys_twin, pending.twin, ml_color("0"));
    if (expected) {
        if (!quiet())
            out("  %sexpected:%s this failure is the point: %s\n",
                ml_color("33"), ml_color("0"), hint);
    } else if (failed) {
        out_err("%s: error: %s failed: %s\n%s: next: %s\n", ml_prog_name(),
                pending.call, words, ml_prog_name(), hint);
    } else if (pending.expect != 0 && !quiet()) {
        out("  %snote:%s it was expected to fail with %s, and did not\n",
            ml_color("33"), ml_color("0"), ml_sys_error_name(pending.expect));
    }

    ml_event_begin(&e, "call");
    trace_str(&e, "step", step_now);
    trace_str(&e, "call", pending.call);
    trace_str(&e, "args", pending.args);
    trace_str(&e, "ret", ret);
    trace_str(&e, "errno", errname);
    trace_str(&e, ml_sys_twin_key, pending.twin);
    trace_bool(&e, "expected", pending.expect != 0);
    if (pending.span) {
        const void *a = pending.addr ? pending.addr : addr_result;
        if (a) {
            char hex[32];
            snprintf(hex, sizeof hex, "0x%llx", (unsigned long long)(uintptr_t)a);
            trace_str(&e, "addr", hex);
        }
        trace_int(&e, "len", (long long)pending.len);
        if (pending.offset >= 0)
            trace_int(&e, "offset", pending.offset);
    }
    trace_write(&e);

    if (failed && !expected) {
        char msg[3200];
        snprintf(msg, sizeof msg, "%s failed: %s; %s", pending.call, words, hint);
        ml_trace_simple("error", msg);
    }
    return !failed;
}

void ml_hold(const char *fmt, ...)
{
    char why[1400];
    va_list ap;

    ml_announce();
    va_start(ap, fmt);
    ml_sys_vformat(why, sizeof why, fmt, ap);
    va_end(ap);
    if (!ml_this_run.opts.hold) {
        if (!quiet())
            out("\n%s[hold]%s %s\n  (--no-hold: going on without waiting)\n",
                ml_color("1;35"), ml_color("0"), why);
        return;
    }
    /* A hold waits for the user: it says so even under -q, or the
     * terminal would look hung. */
    if (!quiet())
        out("\n%s[hold]%s %s\n  Press Enter to go on.\n", ml_color("1;35"),
            ml_color("0"), why);
    else
        out("%s[hold]%s press Enter to go on\n", ml_color("1;35"), ml_color("0"));
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
    out("%s", buf);
}

void ml_next(const char *fmt, ...)
{
    char msg[1400];
    va_list ap;

    ml_announce();
    if (quiet())
        return;
    va_start(ap, fmt);
    ml_sys_vformat(msg, sizeof msg, fmt, ap);
    va_end(ap);
    out("\n%sNext:%s %s\n", ml_color("1;32"), ml_color("0"), msg);
}

void ml_error(const char *fmt, ...)
{
    char msg[1400];
    va_list ap;

    ml_announce();
    va_start(ap, fmt);
    ml_sys_vformat(msg, sizeof msg, fmt, ap);
    va_end(ap);
    out_err("%s: error: %s\n", ml_prog_name(), msg);
    ml_trace_simple("error", msg);
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
    ml_event_begin(&e, "exit");
    trace_int(&e, "status", status);
    trace_write(&e);
    exit(status);
}
