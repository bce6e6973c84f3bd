/* narrate.h — what the library's modules share about the running program.
 * Programs use mmaplab.h; this is for lib/ and its tests.
 */
#ifndef MMAPLAB_NARRATE_H
#define MMAPLAB_NARRATE_H

#include "event.h"
#include "mmaplab.h"

/* Set by opts.c once the command line is parsed; used by narrate.c. */
struct ml_run_state {
    const struct ml_prog *prog;
    struct ml_opts opts;
    bool color;
    const char *object;      /* what the trace names */
    bool started;            /* the start event and heading are out */
};

extern struct ml_run_state ml_this_run;

/* The start event (ml_trace_start), then the program's heading: both wait
 * for the program's first narration, so that a program working on a file
 * names it (ml_set_object) rather than the -n name. */
void ml_trace_start(void);
void ml_announce(void);

/* Install the handlers (POSIX) that record a SIGINT/SIGTERM/SIGHUP exit in the trace
 * and then die of the signal, as the shell expects. */
void ml_catch_signals(void);

/* The running program's name ("mmaplab" before ml_start). */
const char *ml_prog_name(void);

/* Begin an event of this process (a forked child's own start first). */
void ml_event_begin(struct trace_event *e, const char *event);

/* Narrate and record the pending call's result: ret as the line shows it,
 * whether the call failed, and the error the system gave (errno,
 * GetLastError).  addr_result is the address a call returned (the span's
 * address when ml_call_range had none).  Returns !failed.  Each track's result
 * functions (ml_result, wl_result_handle, ...) read the error and call it. */
bool ml_report(const char *ret, bool failed, long long err,
               const void *addr_result);

/* Record an event with only the common keys and, when not NULL, a message. */
void ml_trace_simple(const char *event, const char *message);

/* Read one line from standard input a byte at a time (read(2), ReadFile),
 * so that nothing beyond the line is taken from a pipe shared with a child.  Returns false at end
 * of input or on an error. */
bool ml_read_line(void);

/* Colours for narration (empty strings when colour is off). */
const char *ml_color(const char *sgr);

#endif
