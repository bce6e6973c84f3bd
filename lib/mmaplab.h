/* mmaplab.h — what every numbered program uses: the common options,
 * narration of each call, explained errors, the trace, and the holds.
 *
 * The pattern in a program's main, for every call it teaches:
 *
 *     ml_call("shm_open", "CreateFileMapping(INVALID_HANDLE_VALUE, ...)",
 *             "\"%s\", O_CREAT | O_EXCL | O_RDWR, 0600", o.name);
 *     fd = shm_open(o.name, O_CREAT | O_EXCL | O_RDWR, 0600);
 *     if (!ml_result(fd))
 *         ml_exit(1);
 *
 * ml_call announces the call (and under --step waits before it runs);
 * the call itself stands in main; ml_result prints "= 3" or the explained
 * error and records the event.  The library never makes the call.
 */
#ifndef MMAPLAB_H
#define MMAPLAB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* printf formats as C99 has them (%zu, %lld): under MinGW, GCC's "printf"
 * is msvcrt's, and the Win32 twins use this narration too. */
#ifdef __MINGW32__
#define ML_PRINTF(f, a) __attribute__((format(gnu_printf, f, a)))
#else
#define ML_PRINTF(f, a) __attribute__((format(printf, f, a)))
#endif

#ifndef ML_VERSION
#define ML_VERSION "1.0"
#endif

#define ML_DEFAULT_NAME    "/MyFileMappingObject"
#define ML_DEFAULT_SIZE    256          /* BUF_SIZE of the Win32 original */
#define ML_DEFAULT_MESSAGE "Message from first process."

/* Exit statuses (README.md, "Options"). */
enum { ML_DONE = 0, ML_FAILED = 1, ML_USAGE = 2 };

/* Which of the common options a program takes, beyond -n, --step, --trace,
 * -q, --no-color, -h and -V, which all take. */
enum {
    ML_TAKES_SIZE    = 1 << 0,   /* -s/--size */
    ML_TAKES_MESSAGE = 1 << 1,   /* -m/--message */
    ML_TAKES_HOLD    = 1 << 2,   /* --no-hold: the program has a hold point */
    ML_TAKES_DIR     = 1 << 3,   /* -d/--dir: where the program makes its file */
};

/* What an option of the program's own sets, checked as the common options
 * are (a bad value is a usage error that states the rule). */
enum ml_value {
    ML_FLAG,               /* bool: true when given */
    ML_TEXT,               /* const char *: the argument as it is */
    ML_SIZE,               /* off_t: a size, read as -s reads one */
    ML_COUNT,              /* long long: a whole number from min to max */
};

/* An option of the program's own. */
struct ml_option {
    const char *name;      /* long name, without "--" */
    int key;               /* its short letter, or a number >= 256 */
    const char *arg;       /* NULL for a flag, else the argument's name */
    const char *help;
    enum ml_value kind;
    void *to;              /* the program's variable, of kind's type */
    long long min, max;    /* ML_COUNT */
};

struct ml_prog {
    const char *name;      /* "03-copy": also the trace's prog */
    const char *summary;   /* one line: what it does */
    const char *teaches;   /* a few lines for --help: what it teaches */
    const char *prev;      /* the program to run before, or NULL */
    const char *next;      /* the program to run after, or NULL */
    const char *win32;     /* the Win32 step it mirrors */
    unsigned takes;        /* ML_TAKES_* */
    const struct ml_option *own;   /* ended by an entry with name NULL */
    const char *operands;  /* usage text for operands, NULL when none */
};

struct ml_opts {
    const char *name;      /* -n, $MMAPLAB_NAME, or the default */
    off_t size;            /* -s, default ML_DEFAULT_SIZE */
    const char *message;   /* -m, default ML_DEFAULT_MESSAGE */
    const char *dir;       /* -d, default "." */
    bool step;             /* --step */
    bool hold;             /* false under --no-hold */
    bool quiet;            /* -q */
    char **operands;       /* what is left after the options */
    int noperands;
};

/* Parse the command line (exits 2 with the broken rule on bad input, 0 after
 * --help or --version), set stdout line-buffered, open the trace, record
 * the start and print the program's heading. */
void ml_start(const struct ml_prog *prog, int argc, char *argv[],
              struct ml_opts *o);

/* A step heading; records a "step" event.  step is one of the walkthrough's
 * words (create, map, copy, open, read, unmap, close, unlink) or the
 * program's own. */
void ml_step(const char *step, const char *fmt, ...)
    ML_PRINTF(2, 3);

/* An explanatory line under the current step. */
void ml_say(const char *fmt, ...) ML_PRINTF(1, 2);

/* A result of the program (what it found, read or measured), as ml_say
 * prints it but also under -q, which quiets narration only. */
void ml_show(const char *fmt, ...) ML_PRINTF(1, 2);

/* one when n is 1, else many: "%lld %s", n, ml_plural(n, "page", "pages"). */
const char *ml_plural(long long n, const char *one, const char *many);

/* Announce the call about to run: its name, its counterpart on the other
 * track (Win32; POSIX in a Win32 twin) and its arguments as written.
 * Flushes stdout (so a fork after it duplicates nothing), and under --step
 * shows the call and waits for Enter. */
void ml_call(const char *call, const char *win32, const char *argsfmt, ...)
    ML_PRINTF(3, 4);

/* The address, length and offset the pending call works on, for the trace
 * (addr NULL: the result is the address, as for mmap; offset -1: none). */
void ml_call_range(const void *addr, size_t len, long long offset);

/* The pending call is meant to fail with err, to show the failure: it is
 * traced with "expected": true and narrated as the point, not as an error. */
void ml_expect(long long err);

/* Report the pending call's result and record it.  Each returns true when
 * the call succeeded.  On failure the error is explained (name, text,
 * hint) unless it was the expected one. */
bool ml_result(long long ret);          /* -1 and errno mean failure */
bool ml_result_ptr(const void *ret);    /* MAP_FAILED or NULL mean failure */
bool ml_result_err(int err);            /* 0, or an error number */
/* Report the result of a call that cannot fail (memcpy returns its
 * destination): made alone on its line, then its result reported. */
void ml_returned_ptr(const void *ret);

/* The last result was the failure ml_expect announced. */
bool ml_failed_as_expected(void);

/* A hold point: say why, record "hold", read one line from stdin (EOF goes
 * on), record "resume".  Under -q it still says that it waits for Enter.
 * Under --no-hold it only says it is not holding. */
void ml_hold(const char *fmt, ...) ML_PRINTF(1, 2);

/* A few bytes as hex and text, indented under the narration. */
void ml_dump(const void *p, size_t n, long long offset);

/* What the student should look at next: the closing sentence. */
void ml_next(const char *fmt, ...) ML_PRINTF(1, 2);

/* Explain a failure that is not a call's (a message too large, a check
 * that found the wrong thing): printed on stderr, traced as "error". */
void ml_error(const char *fmt, ...) ML_PRINTF(1, 2);

/* Record the exit, flush, and exit with status. */
_Noreturn void ml_exit(int status);
/* ml_exit(ML_FAILED) unless ok: for a call whose failure has already been
 * narrated and explained (ml_result and friends). */
void ml_must(bool ok);
/* A call no lesson is about (pipe, write, waitpid) failed: say its name and
 * errno, as "PROG: error: CALL failed: ENAME (text)", and ml_exit(ML_FAILED).
 * Use it right after the call, while errno is still its. */
_Noreturn void ml_fail_errno(const char *call);
/* The same for a call that returns its error number (pthread_*). */
_Noreturn void ml_fail_err(const char *call, int err);

/* Hex/text dump of n bytes into out, 16 a row, each row prefixed by indent
 * and the offset (base + row).  Returns the length written. */
size_t ml_hexdump(char *out, size_t outsz, const void *p, size_t n,
                  long long base, const char *indent);

/* n bytes as text a terminal can show: printable ASCII and whole UTF-8
 * characters as they are (but not the C1 controls U+0080-U+009F nor the
 * bidirectional overrides U+202A-U+202E, U+2066-U+2069), the rest
 * as C escapes (\n, \t, \", \\, \x01), byte by byte.  A small out keeps
 * whole escapes and characters only.  Returns the length written. */
size_t ml_escape(char *out, size_t outsz, const void *p, size_t n);
/* The same, and *taken (when not NULL) is how many of the n bytes fit. */
size_t ml_escape_some(char *out, size_t outsz, const void *p, size_t n,
                      size_t *taken);

/* snprintf for text a person will read, where every %s and %c argument is
 * outside text (a name, a message, a path, a user's name) and goes through
 * ml_escape: none of its bytes can act on the terminal.  The format itself
 * is the program's own and is copied as it is.  Widths and precisions count
 * bytes of the argument.  Output that does not fit ends in "...", so that a
 * cut is seen.  Returns the length written. */
size_t ml_vformat(char *out, size_t outsz, const char *fmt, va_list ap);
size_t ml_format(char *out, size_t outsz, const char *fmt, ...)
    ML_PRINTF(3, 4);

/* "256 bytes", "4 KiB", "1.5 GiB": sizes for people. */
void ml_human_size(unsigned long long bytes, char *out, size_t outsz);

/* The object the trace names, when it is not the -n name (a file path). */
void ml_set_object(const char *object);

#endif
