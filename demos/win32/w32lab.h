/* w32lab.h — what a Win32 twin uses beyond the narration it shares with the
 * POSIX programs (mmaplab.h: ml_step, ml_call, ml_say, ml_hold, ml_exit,
 * ...): its command line, and the results of Win32 calls, read with
 * GetLastError.  The same contract as the POSIX side (README.md,
 * "Options"; lessons/trace.md): the library narrates and records, and never
 * makes the call being taught.
 *
 * The pattern in a program's main, for every call it teaches:
 *
 *     ml_call("OpenFileMapping", "shm_open(name, O_RDWR, 0)",
 *             "FILE_MAP_ALL_ACCESS, FALSE, \"%s\"", o.name);
 *     hMapFile = OpenFileMapping(FILE_MAP_ALL_ACCESS, FALSE, o.name);
 *     if (!wl_result_handle(hMapFile))
 *         ml_exit(ML_FAILED);
 *
 * ml_call announces the call (under --step it waits before it runs) and
 * clears the thread's last error, so that a value left by an earlier call
 * is never reported as this one's.  The wl_result_* functions read
 * GetLastError() before they do anything else, print "= NULL
 * GetLastError() = 2 ERROR_FILE_NOT_FOUND (...)" or the result, and record
 * the event.
 *
 * The programs are ANSI builds: CreateFileMapping is CreateFileMappingA.
 */
#ifndef MMAPLAB_W32LAB_H
#define MMAPLAB_W32LAB_H

#ifdef UNICODE
#error "the Win32 twins are ANSI builds: names and messages are char strings"
#endif

#include <windows.h>

#include <stdbool.h>
#include <stddef.h>

#include "mmaplab.h"

/* Win32 names have no leading '/': this is the POSIX default without it. */
#define WL_DEFAULT_NAME    "MyFileMappingObject"

/* Which of the common options a program takes, beyond --step, --trace, -q,
 * --no-color, -h and -V, which all take. */
enum {
    WL_TAKES_NAME    = 1 << 0,   /* -n/--name */
    WL_TAKES_SIZE    = 1 << 1,   /* -s/--size */
    WL_TAKES_MESSAGE = 1 << 2,   /* -m/--message */
    WL_TAKES_HOLD    = 1 << 3,   /* --no-hold: the program has a hold point */
};

/* An option of the program's own. */
struct wl_option {
    const char *name;      /* long name, without "--" */
    int key;               /* its short letter, or a number >= 256 */
    const char *arg;       /* NULL for a flag, else the argument's name */
    const char *help;
};

struct wl_prog {
    const char *name;      /* "first-process": also the trace's prog */
    const char *summary;   /* one line: what it does */
    const char *teaches;   /* a few lines for --help */
    const char *posix;     /* the POSIX programs it is the twin of */
    const char *size_help; /* what -s means here (NULL: the object's size) */
    unsigned long long default_size;   /* 0: ML_DEFAULT_SIZE */
    const char *default_name;          /* NULL: WL_DEFAULT_NAME */
    unsigned takes;        /* WL_TAKES_* */
    const struct wl_option *own;   /* ended by an entry with name NULL */
    /* Called for each of the program's own options; returns 0, or -1 after
     * calling wl_usage_error. */
    int (*own_option)(int key, const char *arg);
};

struct wl_opts {
    const char *name;      /* -n, $MMAPLAB_NAME, or the default */
    unsigned long long size;   /* -s, default ML_DEFAULT_SIZE */
    const char *message;   /* -m, default ML_DEFAULT_MESSAGE */
    bool step;             /* --step */
    bool hold;             /* false under --no-hold */
    bool quiet;            /* -q */
    const char *trace;     /* the trace file in use, or "off" */
};

/* Parse the command line (exits 2 with the broken rule on bad input, 0 after
 * --help or --version), make stdout flushed by every narration line (msvcrt
 * would otherwise hold a pipe's output until exit), open the trace, record
 * the start and print the program's heading.  An object set before
 * (ml_set_object: a file's path) is kept as the trace's object. */
void wl_start(const struct wl_prog *prog, int argc, char *argv[],
              struct wl_opts *o);

/* For own_option: report a usage error.  Printed and traced once parsing
 * is over; the first one is the one shown. */
void wl_usage_error(const char *fmt, ...) ML_PRINTF(1, 2);

/* Parse a size as -s does (a number with an optional k, M or G); 0, or -1
 * with the reason in why. */
int wl_parse_size(const char *text, unsigned long long *out,
                  char *why, size_t whysz);

/* Report the pending call's result; each returns true when it succeeded. */
bool wl_result_handle(HANDLE h);    /* NULL is failure (CreateFileMapping) */
bool wl_result_file(HANDLE h);      /* INVALID_HANDLE_VALUE is (CreateFile) */
bool wl_result_ptr(const void *p);  /* NULL is failure (MapViewOfFile) */
bool wl_result_bool(BOOL ok);       /* FALSE is failure */
bool wl_result_wait(DWORD w);       /* WAIT_FAILED is failure */
bool wl_result_size(SIZE_T n);      /* 0 is failure (VirtualQuery) */
bool wl_result_int(int n);          /* negative is failure (printf) */
bool wl_result_positive(int n);     /* 0 is failure (MessageBox; Wine
                                       without a desktop returns -1) */
void wl_result_void(void);          /* CopyMemory, GetSystemInfo */

/* A call that is not taught (the program's own plumbing) failed: say so on
 * stderr with its name and GetLastError() by number, name and text, trace
 * it as an error, and exit 1.  As in:
 *
 *     if (!CloseHandle(pi.hThread))
 *         wl_die("CloseHandle(pi.hThread)");
 */
_Noreturn void wl_die(const char *call);

/* "ERROR_FILE_NOT_FOUND" for 2; "ERROR_?1234" for one it does not know. */
const char *wl_error_name(DWORD err);

/* "WAIT_ABANDONED" for WAIT_ABANDONED, ... */
const char *wl_wait_name(DWORD w);

/* The command line that starts this program again, with the trace it
 * writes to, followed by extra (for a child: "--child 0x1a4"). */
void wl_self_command(char *out, size_t outsz, const char *extra);

/* ---- between the support files ------------------------------------------ */

/* The system's text for err, without its trailing period and line end. */
void wl_error_text(DWORD err, char *out, size_t outsz);

/* What err means for call on object, and what to do next. */
void wl_hint(const char *call, DWORD err, const char *object,
             char *out, size_t outsz);

/* Open the trace: flag (--trace), else env (MMAPLAB_TRACE), else
 * %TEMP%\mmaplab\trace.jsonl; "off" is none.  Returns the file in use, or
 * "off". */
const char *wl_trace_open(const char *flag, const char *env);

#endif
