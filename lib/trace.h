/* trace.h — the instrumentation stream: one JSON object per line, one
 * write(2) per event on an O_APPEND descriptor (lessons/trace.md).
 *
 * Building and writing an event calls nothing that is unsafe in a signal
 * handler, so a program killed by SIGINT can still record its exit.
 */
#ifndef MMAPLAB_TRACE_H
#define MMAPLAB_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "event.h"

/* Where the trace goes when neither --trace nor MMAPLAB_TRACE says:
 * xdg/mmaplab/trace.jsonl when xdg (XDG_RUNTIME_DIR, may be NULL) is a real
 * directory owned by uid, else tmp/mmaplab-UID/trace.jsonl.  The directory
 * is made 0700 when missing.  Returns 0 with the path in out, or -1 with the
 * reason in why (a directory owned by someone else, a link, ...). */
int trace_default_path(const char *xdg, const char *tmp, uid_t uid,
                       char *out, size_t outsz, char *why, size_t whysz);

/* Open the trace for this process: flag (--trace), else env (MMAPLAB_TRACE),
 * else the default path.  "off" turns it off.  The default trace must be a
 * regular file of the user's own, and is never reached through a link; a
 * path the user named may be a regular file or a character device
 * (/dev/null, a terminal).  A FIFO or a socket is refused, and opening one
 * never waits.  Trouble is warned about once on stderr, prefixed by prog;
 * the trace is then off. */
void trace_open(const char *prog, const char *flag, const char *env);

/* Is a trace open? */
bool trace_on(void);

/* The path of the open trace, or NULL. */
const char *trace_path(void);

/* trace_begin and trace_write (event.h): the time and pid from
 * clock_gettime and getpid, one write(2) per event.  A failed or short
 * write warns once (signal-safely) and turns the trace off. */

/* Close the trace (tests reopen it). */
void trace_close(void);

#endif
