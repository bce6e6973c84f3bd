/* sys.h — what the narration (narrate.c) asks of the system it runs on.
 *
 * narrate.c tells a call, its result and its failure the same way on both
 * tracks, and records the same events.  What differs lives behind these
 * functions: lib/sys_posix.c for the numbered programs (errno, strerror,
 * the hints of explain.c, fork and signals) and demos/win32/sys_win32.c for
 * the Win32 twins (GetLastError, FormatMessage, the console).  Each build
 * links one of them; the trace writer (trace_begin, trace_write in
 * trace.h) is split the same way.
 */
#ifndef MMAPLAB_SYS_H
#define MMAPLAB_SYS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* The other track, as the narration names it: "[Win32: ...]" beside a
 * POSIX call, "[POSIX: ...]" beside a Win32 one, and the trace's key for
 * it ("win32", "posix"). */
extern const char ml_sys_twin[];
extern const char ml_sys_twin_key[];

/* What stands between a failed call's result and its error on the call's
 * line: "= -1 ENOENT (...)", "= NULL  GetLastError() = 2 ...". */
extern const char ml_sys_ret_sep[];

/* Format text a program hands in (a name, a message, a path) for the
 * terminal. */
void ml_sys_vformat(char *out, size_t outsz, const char *fmt, va_list ap);

/* The program's heading: its name, what it does, the object, the pid. */
void ml_sys_heading(void);

/* The start event is being written by this process; before every other
 * event, a process that is not the one that wrote it (a forked child)
 * writes a start of its own.  Both are signal-safe. */
void ml_sys_started(void);
void ml_sys_before_event(void);

/* The call announced is about to run (Win32: SetLastError(0), so that an
 * error an earlier call left is never reported as this one's). */
void ml_sys_before_call(void);

/* "ENOENT" for ENOENT, "ERROR_FILE_NOT_FOUND" for 2. */
const char *ml_sys_error_name(long long err);

/* Why call failed with err: words for the call's line and the error
 * message ("ENOENT (No such file or directory)", "GetLastError() = 2
 * ERROR_FILE_NOT_FOUND (The system cannot find the file specified)"), and
 * the hint that says what it means here and what to do next.  span_len is
 * the length the call worked on, or 0. */
void ml_sys_explain(const char *call, long long err, size_t span_len,
                    char *words, size_t wordsz, char *hint, size_t hintsz);

/* A call that succeeded but left an error worth telling (CreateFileMapping
 * on a name that exists): true with the words for the call's line. */
bool ml_sys_success_note(const char *call, long long err,
                         char *words, size_t wordsz);

#endif
