/* w32lab.c — options, narration, GetLastError names and hints, the trace
 * writer and the holds of the Win32 twins (see w32lab.h).
 *
 * It mirrors lib/opts.c and lib/narrate.c line for line where it can, so
 * that the two tracks read alike and write the same events; what differs is
 * Windows: errors come from GetLastError(), names have no leading '/', and
 * the trace is appended with WriteFile.
 */
#include "w32lab.h"
#include "event.h"
#include "json.h"
#include "mmaplab.h"
#include "parse.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the run ------------------------------------------------------------ */

static const struct wl_prog *prog;
static struct wl_opts opts;
static const char *object = "";
static char step_now[32];
static DWORD last_err;

/* The call announced by wl_call, waiting for its result. */
static struct {
    char call[48];
    char posix[256];
    char args[768];
    const void *addr;
    size_t len;
    long long offset;
    bool span;
    DWORD expect;           /* the error it is meant to fail with, or 0 */
    bool failed_as_expected;
} pending;

static const char *prog_name(void)
{
    return prog ? prog->name : "mmaplab";
}

static bool quiet(void)
{
    return opts.quiet;
}

/* All narration goes through here: one formatted write, flushed at once.
 * msvcrt buffers a pipe fully, and a test waiting on a line must see it
 * when it is printed, not when the program exits. */
static void out(FILE *f, const char *fmt, ...) WL_PRINTF(2, 3);
static void out(FILE *f, const char *fmt, ...)
{
    char buf[4096];
    va_list ap;

    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof buf)
        n = sizeof buf - 1;
    if (f == stderr)
        fflush(stdout);
    fwrite(buf, 1, (size_t)n, f);
    fflush(f);
}

/* ---- errors by name ----------------------------------------------------- */

static const struct { DWORD code; const char *name; } error_names[] = {
    { ERROR_SUCCESS, "ERROR_SUCCESS" },
    { ERROR_INVALID_FUNCTION, "ERROR_INVALID_FUNCTION" },
    { ERROR_FILE_NOT_FOUND, "ERROR_FILE_NOT_FOUND" },
    { ERROR_PATH_NOT_FOUND, "ERROR_PATH_NOT_FOUND" },
    { ERROR_TOO_MANY_OPEN_FILES, "ERROR_TOO_MANY_OPEN_FILES" },
    { ERROR_ACCESS_DENIED, "ERROR_ACCESS_DENIED" },
    { ERROR_INVALID_HANDLE, "ERROR_INVALID_HANDLE" },
    { ERROR_NOT_ENOUGH_MEMORY, "ERROR_NOT_ENOUGH_MEMORY" },
    { ERROR_INVALID_ACCESS, "ERROR_INVALID_ACCESS" },
    { ERROR_OUTOFMEMORY, "ERROR_OUTOFMEMORY" },
    { ERROR_WRITE_PROTECT, "ERROR_WRITE_PROTECT" },
    { ERROR_SHARING_VIOLATION, "ERROR_SHARING_VIOLATION" },
    { ERROR_LOCK_VIOLATION, "ERROR_LOCK_VIOLATION" },
    { ERROR_HANDLE_EOF, "ERROR_HANDLE_EOF" },
    { ERROR_NOT_SUPPORTED, "ERROR_NOT_SUPPORTED" },
    { ERROR_FILE_EXISTS, "ERROR_FILE_EXISTS" },
    { ERROR_INVALID_PARAMETER, "ERROR_INVALID_PARAMETER" },
    { ERROR_BROKEN_PIPE, "ERROR_BROKEN_PIPE" },
    { ERROR_DISK_FULL, "ERROR_DISK_FULL" },
    { ERROR_INSUFFICIENT_BUFFER, "ERROR_INSUFFICIENT_BUFFER" },
    { ERROR_INVALID_NAME, "ERROR_INVALID_NAME" },
    { ERROR_NEGATIVE_SEEK, "ERROR_NEGATIVE_SEEK" },
    { ERROR_BAD_PATHNAME, "ERROR_BAD_PATHNAME" },
    { ERROR_ALREADY_EXISTS, "ERROR_ALREADY_EXISTS" },
    { ERROR_BAD_EXE_FORMAT, "ERROR_BAD_EXE_FORMAT" },
    { ERROR_FILENAME_EXCED_RANGE, "ERROR_FILENAME_EXCED_RANGE" },
    { WAIT_TIMEOUT, "WAIT_TIMEOUT" },
    { ERROR_NOT_OWNER, "ERROR_NOT_OWNER" },
    { ERROR_INVALID_ADDRESS, "ERROR_INVALID_ADDRESS" },
    { ERROR_OPERATION_ABORTED, "ERROR_OPERATION_ABORTED" },
    { ERROR_NOACCESS, "ERROR_NOACCESS" },
    { ERROR_FILE_INVALID, "ERROR_FILE_INVALID" },
    { ERROR_MAPPED_ALIGNMENT, "ERROR_MAPPED_ALIGNMENT" },
    { ERROR_NOT_FOUND, "ERROR_NOT_FOUND" },
    { ERROR_USER_MAPPED_FILE, "ERROR_USER_MAPPED_FILE" },
    { ERROR_PRIVILEGE_NOT_HELD, "ERROR_PRIVILEGE_NOT_HELD" },
    { ERROR_NO_SYSTEM_RESOURCES, "ERROR_NO_SYSTEM_RESOURCES" },
    { ERROR_COMMITMENT_LIMIT, "ERROR_COMMITMENT_LIMIT" },
    { ERROR_INVALID_HANDLE_STATE, "ERROR_INVALID_HANDLE_STATE" },
    { ERROR_INVALID_WINDOW_HANDLE, "ERROR_INVALID_WINDOW_HANDLE" },
};

const char *wl_error_name(DWORD err)
{
    static char other[32];

    for (size_t i = 0; i < sizeof error_names / sizeof error_names[0]; i++)
        if (error_names[i].code == err)
            return error_names[i].name;
    snprintf(other, sizeof other, "ERROR_?%lu", (unsigned long)err);
    return other;
}

const char *wl_wait_name(DWORD w)
{
    static char other[32];

    switch (w) {
    case WAIT_OBJECT_0: return "WAIT_OBJECT_0";
    case WAIT_ABANDONED: return "WAIT_ABANDONED";
    case WAIT_TIMEOUT: return "WAIT_TIMEOUT";
    case WAIT_FAILED: return "WAIT_FAILED";
    }
    snprintf(other, sizeof other, "0x%lx", (unsigned long)w);
    return other;
}

/* The system's text for err, without its trailing period and line end. */
static void error_text(DWORD err, char *outbuf, size_t outsz)
{
    DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM |
                             FORMAT_MESSAGE_IGNORE_INSERTS, NULL, err, 0,
                             outbuf, (DWORD)outsz, NULL);
    if (n == 0) {
        snprintf(outbuf, outsz, "no text for this code");
        return;
    }
    while (n > 0 && (outbuf[n - 1] == '\n' || outbuf[n - 1] == '\r' ||
                     outbuf[n - 1] == ' ' || outbuf[n - 1] == '.'))
        outbuf[--n] = '\0';
}

static bool is(const char *call, const char *name)
{
    return strcmp(call, name) == 0;
}

/* What a failure means here and what to do next, chosen by the call. */
static void hint(const char *call, DWORD err, char *h, size_t hsz)
{
    SYSTEM_INFO si;

    switch (err) {
    case ERROR_FILE_NOT_FOUND:
        if (is(call, "OpenFileMapping") || is(call, "OpenMutex") ||
            is(call, "OpenEvent"))
            snprintf(h, hsz, "no object named \"%s\" exists now: run "
                     "first-process first and leave it holding. A Win32 name "
                     "lives only while some process has a handle open to it "
                     "(a POSIX name stays until shm_unlink)", object);
        else
            snprintf(h, hsz, "%s does not exist; check the path", object);
        return;
    case ERROR_PATH_NOT_FOUND:
    case ERROR_BAD_PATHNAME:
    case ERROR_INVALID_NAME:
        if (strstr(call, "Mapping") || strstr(call, "Mutex") ||
            strstr(call, "Event"))
            snprintf(h, hsz, "\"%s\" is not a usable object name: no '\\' "
                     "except after the prefix Global\\ or Local\\", object);
        else
            snprintf(h, hsz, "the path %s is not valid here; check its "
                     "folders", object);
        return;
    case ERROR_ALREADY_EXISTS:
    case ERROR_FILE_EXISTS:
        snprintf(h, hsz, "\"%s\" is taken; pick another name with -n", object);
        return;
    case ERROR_ACCESS_DENIED:
        if (strncmp(object, "Global\\", 7) == 0)
            snprintf(h, hsz, "creating an object in the Global\\ namespace "
                     "needs SeCreateGlobalPrivilege (Administrators and "
                     "services have it); use a name without Global\\");
        else if (is(call, "MapViewOfFile"))
            snprintf(h, hsz, "the view asks for more than the handle allows, "
                     "or more bytes than the object holds (-s larger than the "
                     "size it was created with)");
        else
            snprintf(h, hsz, "the object's security does not give you that "
                     "access, or the handle was opened with less");
        return;
    case ERROR_INVALID_HANDLE:
        snprintf(h, hsz, "that value is not an open handle of the right kind in "
                 "this process. Handles belong to one process: another "
                 "process's value means nothing here unless the handle was "
                 "inherited (bInheritHandle and bInheritHandles both TRUE) or "
                 "duplicated (DuplicateHandle)");
        return;
    case ERROR_MAPPED_ALIGNMENT:
        GetSystemInfo(&si);
        snprintf(h, hsz, "a view must start at a multiple of the allocation "
                 "granularity (%lu bytes here, GetSystemInfo's "
                 "dwAllocationGranularity), not merely of the page size (%lu) "
                 "as mmap asks", (unsigned long)si.dwAllocationGranularity,
                 (unsigned long)si.dwPageSize);
        return;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
    case ERROR_COMMITMENT_LIMIT:
        if (is(call, "CreateFileMapping"))
            snprintf(h, hsz, "the paging file cannot commit that much; try a "
                     "smaller -s, or reserve it and commit a part "
                     "(reserve.exe, SEC_RESERVE)");
        else
            snprintf(h, hsz, "there is no room for this in the address space "
                     "or the commit limit; ask for less");
        return;
    case ERROR_INVALID_ADDRESS:
        snprintf(h, hsz, "the address is not inside a view of this process "
                 "(or not the start of one, for UnmapViewOfFile)");
        return;
    case ERROR_FILE_INVALID:
        snprintf(h, hsz, "the file is empty, and a mapping of size 0 takes the "
                 "file's size: give CreateFileMapping a size");
        return;
    case ERROR_USER_MAPPED_FILE:
        snprintf(h, hsz, "the file has a view mapped: Windows will not cut a "
                 "mapped file; unmap every view first");
        return;
    case ERROR_DISK_FULL:
        snprintf(h, hsz, "the disk behind the file is full; free some space or "
                 "ask for less");
        return;
    case ERROR_NOT_OWNER:
        snprintf(h, hsz, "only the thread that owns a mutex may release it");
        return;
    case ERROR_SHARING_VIOLATION:
        snprintf(h, hsz, "another process opened %s without sharing it; close "
                 "that program first", object);
        return;
    case ERROR_INVALID_WINDOW_HANDLE:
        snprintf(h, hsz, "there is no desktop to show a window on (no display "
                 "under Wine, or a service's session); leave out --box");
        return;
    case ERROR_INVALID_PARAMETER:
        snprintf(h, hsz, "an argument is out of range for %s; see its "
                 "documentation", call);
        return;
    }
    snprintf(h, hsz, "see the documentation of %s for what %s means there",
             call, wl_error_name(err));
}

/* ---- the trace ---------------------------------------------------------- */

static HANDLE trace_h = INVALID_HANDLE_VALUE;
static char trace_file[MAX_PATH * 2];
static bool trace_warned;

/* CLOCK_REALTIME's nanoseconds: FILETIME counts 100 ns from 1601. */
static long long now_ns(void)
{
    FILETIME ft;
    ULARGE_INTEGER t;

    GetSystemTimePreciseAsFileTime(&ft);
    t.LowPart = ft.dwLowDateTime;
    t.HighPart = ft.dwHighDateTime;
    return (long long)(t.QuadPart - 116444736000000000ULL) * 100;
}

static void ev_begin(struct trace_event *e, const char *event)
{
    trace_event_start(e, now_ns(), (long long)GetCurrentProcessId(),
                      prog_name(), event, object);
}

static void trace_warn(const char *what, DWORD err)
{
    if (trace_warned)
        return;
    trace_warned = true;
    if (err)
        out(stderr, "%s: warning: trace %s: GetLastError() = %lu %s; the trace "
            "is off (the program goes on)\n", prog_name(), what,
            (unsigned long)err, wl_error_name(err));
    else
        out(stderr, "%s: warning: trace %s; the trace is off (the program "
            "goes on)\n", prog_name(), what);
}

/* One event, one WriteFile.  A handle with FILE_APPEND_DATA and no
 * FILE_WRITE_DATA writes every block at the end of the file, so on Windows
 * the events of several processes never interleave.  Wine emulates that
 * append with a seek and a write, which two processes can race, so each
 * write also holds an exclusive lock on one byte far past any data: the
 * events stay whole under Wine too (a POSIX program appending to the same
 * file at the same moment is not covered by the lock). */
static void ev_write(struct trace_event *e)
{
    OVERLAPPED ov;
    DWORD done = 0, err = GetLastError();
    bool locked;

    if (trace_h == INVALID_HANDLE_VALUE)
        return;
    size_t n = trace_event_end(e);
    memset(&ov, 0, sizeof ov);
    ov.Offset = 0xfffffff0u;
    ov.OffsetHigh = 0x7fffffffu;
    locked = LockFileEx(trace_h, LOCKFILE_EXCLUSIVE_LOCK, 0, 1, 0, &ov);
    BOOL ok = WriteFile(trace_h, e->buf, (DWORD)n, &done, NULL);
    DWORD werr = GetLastError();
    if (locked)
        UnlockFileEx(trace_h, 0, 1, 0, &ov);
    if (!ok || done != n) {
        trace_warn(ok ? "write was short" : "write failed", ok ? 0 : werr);
        CloseHandle(trace_h);
        trace_h = INVALID_HANDLE_VALUE;
    }
    SetLastError(err);      /* the trace never changes what a call reported */
}

static void trace_simple(const char *event, const char *message)
{
    struct trace_event e;

    ev_begin(&e, event);
    if (message)
        trace_str(&e, "message", message);
    ev_write(&e);
}

/* --trace, else MMAPLAB_TRACE, else %TEMP%\mmaplab\trace.jsonl; "off" is
 * none.  A Unix path works under Wine while the current directory is on the
 * drive that maps / (Z:, the default): "/tmp/t.jsonl" is Z:\tmp\t.jsonl. */
static void trace_open(const char *flag, const char *env)
{
    const char *path = flag ? flag : env && env[0] ? env : NULL;
    char def[MAX_PATH + 32];

    if (path && strcmp(path, "off") == 0) {
        snprintf(trace_file, sizeof trace_file, "off");
        return;
    }
    if (path == NULL) {
        DWORD n = GetTempPathA(MAX_PATH, def);
        if (n == 0 || n >= MAX_PATH) {
            trace_warn("has no default place (GetTempPath failed)", GetLastError());
            snprintf(trace_file, sizeof trace_file, "off");
            return;
        }
        strcat(def, "mmaplab");
        CreateDirectoryA(def, NULL);       /* it may exist already */
        strcat(def, "\\trace.jsonl");
        path = def;
    }
    /* Children are handed the full path: they may not share our directory. */
    if (GetFullPathNameA(path, sizeof trace_file, trace_file, NULL) == 0)
        snprintf(trace_file, sizeof trace_file, "%s", path);
    trace_h = CreateFileA(trace_file, FILE_APPEND_DATA | FILE_READ_DATA,
                          FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                          NULL, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (trace_h == INVALID_HANDLE_VALUE) {
        char what[MAX_PATH * 2 + 32];
        snprintf(what, sizeof what, "cannot open %s", trace_file);
        trace_warn(what, GetLastError());
        snprintf(trace_file, sizeof trace_file, "off");
    }
}

/* ---- options ------------------------------------------------------------ */

enum { OPT_STEP = 1000, OPT_NO_HOLD, OPT_TRACE, OPT_NO_COLOR };

static char usage_err[1024];
static char name_buf[MAX_PATH + 8];
static char name_note[512];

void wl_usage_error(const char *fmt, ...)
{
    va_list ap;

    if (usage_err[0] != '\0')
        return;                 /* the first broken rule is the one to fix */
    va_start(ap, fmt);
    vsnprintf(usage_err, sizeof usage_err, fmt, ap);
    va_end(ap);
}

/* The same rules as the POSIX programs (lib/parse.c), so that one -s works
 * on both tracks. */
int wl_parse_size(const char *text, unsigned long long *outv,
                  char *why, size_t whysz)
{
    off_t v;

    if (ml_parse_size(text, &v, why, whysz) == -1)
        return -1;
    *outv = (unsigned long long)v;
    return 0;
}

/* Win32 object names: an optional Global\ or Local\ (the namespace), then
 * any characters but '\', MAX_PATH at most.  A single leading '/' is the
 * POSIX form (the same name given to both tracks): it is dropped, and the
 * student is told. */
static void check_name(const char *given, const char *from)
{
    char src[64] = "";
    const char *rest;
    size_t l;

    if (from)
        snprintf(src, sizeof src, " (from %s)", from);
    snprintf(name_buf, sizeof name_buf, "%s", given);
    if (given[0] == '/' && given[1] != '\0') {
        snprintf(name_buf, sizeof name_buf, "%s", given + 1);
        snprintf(name_note, sizeof name_note, "'%s' is the POSIX form of the "
                 "name; Win32 names have no leading '/', so this is \"%s\"",
                 given, name_buf);
    }
    rest = name_buf;
    l = strlen(name_note);
    if (l > 0 && (strncmp(rest, "Global\\", 7) == 0 ||
                  strncmp(rest, "Local\\", 6) == 0)) {
        snprintf(name_note + l, sizeof name_note - l, ". ");
        l += 2;
    }
    if (strncmp(rest, "Global\\", 7) == 0) {
        rest += 7;
        snprintf(name_note + l, sizeof name_note - l, "Global\\ puts the name "
                 "in the namespace every session shares (services, all users); "
                 "creating a mapping there needs SeCreateGlobalPrivilege on "
                 "Windows (Wine does not check it)");
    } else if (strncmp(rest, "Local\\", 6) == 0) {
        rest += 6;
        snprintf(name_note + l, sizeof name_note - l, "Local\\ is this "
                 "session's own namespace, where a name without a prefix goes "
                 "too");
    }
    if (strlen(name_buf) > MAX_PATH)
        wl_usage_error("the name is too long: at most %d characters%s",
                       MAX_PATH, src);
    else if (rest[0] == '\0')
        wl_usage_error("the name '%s' is empty%s: a name needs at least one "
                       "character%s", given, rest != name_buf ? " after its "
                       "prefix" : "", src);
    else if (strchr(rest, '\\'))
        wl_usage_error("the name '%s' has a '\\': a Win32 object name may not "
                       "contain one, except after the prefix Global\\ or "
                       "Local\\%s", given, src);
}

static void usage_line(FILE *f)
{
    unsigned t = prog->takes;
    char line[1024];
    int l = snprintf(line, sizeof line, "Usage: %s.exe%s%s%s [--step]%s "
                     "[--trace FILE] [-q]", prog->name,
                     t & WL_TAKES_NAME ? " [-n NAME]" : "",
                     t & WL_TAKES_SIZE ? " [-s SIZE]" : "",
                     t & WL_TAKES_MESSAGE ? " [-m TEXT]" : "",
                     t & WL_TAKES_HOLD ? " [--no-hold]" : "");
    for (const struct wl_option *o = prog->own; o && o->name; o++) {
        if (o->key >= 0x4000)
            continue;           /* internal: how a parent starts its child */
        if (o->arg)
            l += snprintf(line + l, sizeof line - (size_t)l, " [--%s %s]",
                          o->name, o->arg);
        else
            l += snprintf(line + l, sizeof line - (size_t)l, " [--%s]", o->name);
        if ((size_t)l >= sizeof line)
            break;
    }
    out(f, "%s\n", line);
}

static void help(void)
{
    unsigned t = prog->takes;

    usage_line(stdout);
    out(stdout, "\n%s\n\n%s\n\n", prog->summary, prog->teaches);
    out(stdout, "POSIX twin: %s\n\n", prog->posix);
    out(stdout, "Options:\n");
    if (t & WL_TAKES_NAME)
        out(stdout,
            "  -n, --name NAME     the object's name (default $MMAPLAB_NAME, else\n"
            "                      %s): any characters but '\\', at most %d,\n"
            "                      optionally after Global\\ (every session) or\n"
            "                      Local\\ (this session, the default). A leading\n"
            "                      '/' (the POSIX form) is dropped.\n",
            prog->default_name ? prog->default_name : WL_DEFAULT_NAME,
            MAX_PATH);
    if (t & WL_TAKES_SIZE)
        out(stdout,
            "  -s, --size BYTES    %s (default %llu):\n"
            "                      a number with an optional k, M or G, e.g. 4k\n",
            prog->size_help ? prog->size_help : "the object's size",
            prog->default_size ? prog->default_size : WL_DEFAULT_SIZE);
    if (t & WL_TAKES_MESSAGE)
        out(stdout, "  -m, --message TEXT  the message to copy (default \"%s\")\n",
            WL_DEFAULT_MESSAGE);
    for (const struct wl_option *o = prog->own; o && o->name; o++) {
        char left[64];
        if (o->key >= 0x4000)
            continue;
        if (o->key < 256)
            snprintf(left, sizeof left, "-%c, --%s%s%s", o->key, o->name,
                     o->arg ? " " : "", o->arg ? o->arg : "");
        else
            snprintf(left, sizeof left, "    --%s%s%s", o->name,
                     o->arg ? " " : "", o->arg ? o->arg : "");
        out(stdout, "  %-19s %s\n", left, o->help);
    }
    out(stdout, "      --step          pause before every call, showing it "
        "(Enter runs it)\n");
    if (t & WL_TAKES_HOLD)
        out(stdout, "      --no-hold       do not wait at the hold point\n");
    out(stdout,
        "      --trace FILE    append the trace there (default $MMAPLAB_TRACE, else\n"
        "                      %%TEMP%%\\mmaplab\\trace.jsonl; 'off' for none). Under\n"
        "                      Wine a Unix path works: / is drive Z:\n"
        "  -q, --quiet         only errors and results\n"
        "      --no-color      accepted for the POSIX programs' sake (no colour here)\n"
        "  -h, --help          this help\n"
        "  -V, --version       the version\n\n"
        "Hold points read one line: press Enter (end of input also goes on).\n"
        "Exit status: 0 done, 1 a call failed (explained), 2 usage error.\n");
}

static void unknown_option(const char *arg, int opt)
{
    char shown[64];

    if (opt > 0 && opt < 256)
        snprintf(shown, sizeof shown, "-%c", opt);
    else
        snprintf(shown, sizeof shown, "%.60s", arg);
    if (opt == 's' || strncmp(shown, "--size", 6) == 0)
        wl_usage_error("%s takes no size: the size is fixed when the object is "
                       "created (first-process -s SIZE)", prog->name);
    else if (opt == 'm' || strncmp(shown, "--message", 9) == 0)
        wl_usage_error("%s takes no message: first-process -m TEXT copies one "
                       "in", prog->name);
    else if (opt == 'n' || strncmp(shown, "--name", 6) == 0)
        wl_usage_error("%s takes no name: its object has none", prog->name);
    else
        wl_usage_error("unknown option '%s'", shown);
}

static BOOL WINAPI on_ctrl(DWORD type)
{
    struct trace_event e;
    const char *name = type == CTRL_C_EVENT ? "CTRL_C_EVENT"
                     : type == CTRL_BREAK_EVENT ? "CTRL_BREAK_EVENT"
                                                : "CTRL_CLOSE_EVENT";

    ev_begin(&e, "exit");
    trace_int(&e, "status", 130);
    trace_str(&e, "message", name);
    ev_write(&e);
    out(stderr, "\n%s: stopped by %s; Windows closes every handle this process "
        "had: when they were the last ones, the object and its name are "
        "gone\n", prog_name(), name);
    /* The status the trace just recorded, and what a shell expects of a
     * program stopped by SIGINT (Wine's default handler would exit 0). */
    ExitProcess(130);
}

void wl_start(const struct wl_prog *p, int argc, char *argv[],
              struct wl_opts *o)
{
    struct option longs[48];
    char shorts[96] = "+:qhV";
    const char *trace_flag = NULL, *env_name = getenv("MMAPLAB_NAME");
    const char *name = NULL;
    bool version = false, want_help = false;
    int nl = 0;

    /* Full buffering, flushed by every narration line (see out()). */
    setvbuf(stdout, NULL, _IOFBF, 1 << 14);
    prog = p;
    memset(o, 0, sizeof *o);
    o->size = p->default_size ? p->default_size : WL_DEFAULT_SIZE;
    o->message = WL_DEFAULT_MESSAGE;
    o->hold = true;

    longs[nl++] = (struct option){ "step", no_argument, NULL, OPT_STEP };
    longs[nl++] = (struct option){ "trace", required_argument, NULL, OPT_TRACE };
    longs[nl++] = (struct option){ "quiet", no_argument, NULL, 'q' };
    longs[nl++] = (struct option){ "no-color", no_argument, NULL, OPT_NO_COLOR };
    longs[nl++] = (struct option){ "help", no_argument, NULL, 'h' };
    longs[nl++] = (struct option){ "version", no_argument, NULL, 'V' };
    if (p->takes & WL_TAKES_NAME) {
        longs[nl++] = (struct option){ "name", required_argument, NULL, 'n' };
        strcat(shorts, "n:");
    }
    if (p->takes & WL_TAKES_SIZE) {
        longs[nl++] = (struct option){ "size", required_argument, NULL, 's' };
        strcat(shorts, "s:");
    }
    if (p->takes & WL_TAKES_MESSAGE) {
        longs[nl++] = (struct option){ "message", required_argument, NULL, 'm' };
        strcat(shorts, "m:");
    }
    if (p->takes & WL_TAKES_HOLD)
        longs[nl++] = (struct option){ "no-hold", no_argument, NULL, OPT_NO_HOLD };
    for (const struct wl_option *own = p->own; own && own->name && nl < 47; own++) {
        longs[nl++] = (struct option){ own->name,
            own->arg ? required_argument : no_argument, NULL, own->key };
        if (own->key < 256) {
            size_t l = strlen(shorts);
            shorts[l++] = (char)own->key;
            if (own->arg)
                shorts[l++] = ':';
            shorts[l] = '\0';
        }
    }
    longs[nl] = (struct option){ NULL, 0, NULL, 0 };

    usage_err[0] = '\0';
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
        char why[600];
        switch (c) {
        case 'n': name = optarg; break;
        case 's':
            if (wl_parse_size(optarg, &o->size, why, sizeof why) == -1)
                wl_usage_error("%s", why);
            break;
        case 'm': o->message = optarg; break;
        case 'q': o->quiet = true; break;
        case 'h': want_help = true; break;
        case 'V': version = true; break;
        case OPT_STEP: o->step = true; break;
        case OPT_NO_HOLD: o->hold = false; break;
        case OPT_TRACE: trace_flag = optarg; break;
        case OPT_NO_COLOR: break;
        case ':':
            wl_usage_error("option '%s' needs an argument", argv[optind - 1]);
            break;
        case '?':
            unknown_option(argv[optind - 1], optopt);
            break;
        default:
            if (p->own_option == NULL || p->own_option(c, optarg) == -1)
                wl_usage_error("option '%s' was not understood", argv[optind - 1]);
            break;
        }
    }
    if (want_help) {
        help();
        exit(WL_DONE);
    }
    if (version) {
        out(stdout, "%s (mmaplab, Win32) %s\n", p->name, ML_VERSION);
        exit(WL_DONE);
    }
    if (optind < argc)
        wl_usage_error("unexpected argument '%s': %s takes only options",
                       argv[optind], p->name);
    if (p->takes & WL_TAKES_NAME) {
        if (name)
            check_name(name, NULL);
        else if (env_name && env_name[0])
            check_name(env_name, "MMAPLAB_NAME");
        else
            check_name(p->default_name ? p->default_name : WL_DEFAULT_NAME,
                       NULL);
        o->name = name_buf;
        object = name_buf;
    } else {
        o->name = "";
    }
    opts = *o;

    trace_open(trace_flag, getenv("MMAPLAB_TRACE"));
    o->trace = opts.trace = trace_file;
    SetConsoleCtrlHandler(on_ctrl, TRUE);
    trace_simple("start", NULL);

    if (usage_err[0] != '\0') {
        out(stderr, "%s: %s\n", p->name, usage_err);
        usage_line(stderr);
        out(stderr, "Nothing was done.  Try '%s.exe --help' for more.\n", p->name);
        trace_simple("error", usage_err);
        wl_exit(WL_USAGE);
    }

    if (!o->quiet) {
        out(stdout, "%s: %s\n", p->name, p->summary);
        if (p->takes & WL_TAKES_NAME)
            out(stdout, "  object \"%s\"   pid %lu   POSIX: %s\n", o->name,
                (unsigned long)GetCurrentProcessId(), p->posix);
        else
            out(stdout, "  pid %lu   POSIX: %s\n",
                (unsigned long)GetCurrentProcessId(), p->posix);
        if (name_note[0])
            out(stdout, "  note: %s\n", name_note);
    }
}

void wl_set_object(const char *obj)
{
    object = obj ? obj : "";
}

/* ---- narration ---------------------------------------------------------- */

void wl_step(const char *step, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    struct trace_event e;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(step_now, sizeof step_now, "%s", step);
    if (!quiet())
        out(stdout, "\n[%s] %s\n", step, msg);
    ev_begin(&e, "step");
    trace_str(&e, "step", step);
    trace_str(&e, "message", msg);
    ev_write(&e);
}

void wl_say(const char *fmt, ...)
{
    char msg[2048];
    va_list ap;

    if (quiet())
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    out(stdout, "  %s\n", msg);
}

/* One line from standard input, a byte at a time, so that nothing beyond
 * the line is taken from a pipe a child shares.  False at end of input. */
static bool read_line(void)
{
    HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
    char c;
    DWORD n;

    if (in == NULL || in == INVALID_HANDLE_VALUE)
        return false;
    for (;;) {
        if (!ReadFile(in, &c, 1, &n, NULL) || n == 0)
            return false;
        if (c == '\n')
            return true;
    }
}

static void pause_here(const char *why)
{
    fflush(stdout);
    trace_simple("hold", why);
    bool line = read_line();
    trace_simple("resume", line ? "a line was read" : "end of input");
}

void wl_call(const char *call, const char *posix, const char *argsfmt, ...)
{
    va_list ap;

    memset(&pending, 0, sizeof pending);
    snprintf(pending.call, sizeof pending.call, "%s", call);
    snprintf(pending.posix, sizeof pending.posix, "%s", posix);
    va_start(ap, argsfmt);
    vsnprintf(pending.args, sizeof pending.args, argsfmt, ap);
    va_end(ap);
    pending.offset = -1;

    if (opts.step) {
        char why[900];
        out(stdout, "  next: %s(%s)   -- press Enter to run it\n",
            pending.call, pending.args);
        snprintf(why, sizeof why, "before %s(%s)", pending.call, pending.args);
        pause_here(why);
    }
    /* A child may be started next: nothing may be left in the buffer. */
    fflush(stdout);
    SetLastError(0);
}

void wl_span(const void *addr, size_t len, long long offset)
{
    pending.addr = addr;
    pending.len = len;
    pending.offset = offset;
    pending.span = true;
}

void wl_expect(DWORD err)
{
    pending.expect = err;
}

bool wl_failed_as_expected(void)
{
    return pending.failed_as_expected;
}

DWORD wl_last_error(void)
{
    return last_err;
}

/* Narrate and record the pending call's result.  failed: the call says it
 * failed; err: GetLastError() as it was right after the call. */
static bool report(const char *ret, bool failed, DWORD err, const void *addr_result)
{
    struct trace_event e;
    char h[1024] = "", text[512] = "", gle[640] = "";
    bool expected = failed && pending.expect != 0 && err == pending.expect;
    /* Create* succeed on a name that exists, and say so only here. */
    bool exists = !failed && err == ERROR_ALREADY_EXISTS &&
                  strncmp(pending.call, "Create", 6) == 0;
    const char *errname = failed || exists ? wl_error_name(err) : "0";

    last_err = err;
    pending.failed_as_expected = expected;
    if (failed) {
        error_text(err, text, sizeof text);
        hint(pending.call, err, h, sizeof h);
        snprintf(gle, sizeof gle, "  GetLastError() = %lu %s (%s)",
                 (unsigned long)err, errname, text);
    } else if (exists) {
        snprintf(gle, sizeof gle, "  GetLastError() = %lu %s (it existed "
                 "already: this handle opens it)",
                 (unsigned long)err, errname);
    }

    if (!quiet() || (failed && !expected))
        out(stdout, "  %s(%s) = %s%s   [POSIX: %s]\n", pending.call,
            pending.args, ret, gle, pending.posix);
    if (expected && !quiet()) {
        out(stdout, "  expected: this failure is the point: %s\n", h);
    } else if (failed) {
        out(stderr, "%s: error: %s failed: GetLastError() = %lu %s (%s)\n"
            "%s: next: %s\n", prog_name(), pending.call, (unsigned long)err,
            errname, text, prog_name(), h);
    } else if (pending.expect != 0 && !quiet()) {
        out(stdout, "  note: it was expected to fail with %s, and did not\n",
            wl_error_name(pending.expect));
    }

    ev_begin(&e, "call");
    trace_str(&e, "step", step_now);
    trace_str(&e, "call", pending.call);
    trace_str(&e, "args", pending.args);
    trace_str(&e, "ret", ret);
    trace_str(&e, "errno", errname);
    trace_str(&e, "posix", pending.posix);
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
    ev_write(&e);

    if (failed && !expected) {
        char msg[1400];
        snprintf(msg, sizeof msg, "%s failed: GetLastError() = %lu %s (%s); %s",
                 pending.call, (unsigned long)err, errname, text, h);
        trace_simple("error", msg);
    }
    return !failed;
}

bool wl_result_handle(HANDLE h)
{
    DWORD err = GetLastError();
    char s[32];

    if (h == NULL)
        snprintf(s, sizeof s, "NULL");
    else
        snprintf(s, sizeof s, "0x%llx", (unsigned long long)(uintptr_t)h);
    return report(s, h == NULL, err, NULL);
}

bool wl_result_file(HANDLE h)
{
    DWORD err = GetLastError();
    char s[32];

    if (h == INVALID_HANDLE_VALUE)
        snprintf(s, sizeof s, "INVALID_HANDLE_VALUE");
    else
        snprintf(s, sizeof s, "0x%llx", (unsigned long long)(uintptr_t)h);
    return report(s, h == INVALID_HANDLE_VALUE, err, NULL);
}

bool wl_result_ptr(const void *p)
{
    DWORD err = GetLastError();
    char s[32];

    if (p == NULL)
        snprintf(s, sizeof s, "NULL");
    else
        snprintf(s, sizeof s, "0x%llx", (unsigned long long)(uintptr_t)p);
    return report(s, p == NULL, err, p);
}

bool wl_result_bool(BOOL ok)
{
    DWORD err = GetLastError();

    return report(ok ? "TRUE" : "FALSE", !ok, err, NULL);
}

bool wl_result_wait(DWORD w)
{
    DWORD err = GetLastError();

    return report(wl_wait_name(w), w == WAIT_FAILED, err, NULL);
}

bool wl_result_size(SIZE_T n)
{
    DWORD err = GetLastError();
    char s[32];

    snprintf(s, sizeof s, "%llu", (unsigned long long)n);
    return report(s, n == 0, err, NULL);
}

bool wl_result_int(int n)
{
    DWORD err = GetLastError();
    char s[32];

    snprintf(s, sizeof s, "%d", n);
    return report(s, n < 0, err, NULL);
}

bool wl_result_positive(int n)
{
    DWORD err = GetLastError();
    char s[32];

    snprintf(s, sizeof s, "%d", n);
    return report(s, n <= 0, err, NULL);
}

void wl_result_void(void)
{
    report("(void)", false, 0, NULL);
}

void wl_hold(const char *fmt, ...)
{
    char why[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    if (!opts.hold) {
        if (!quiet())
            out(stdout, "\n[hold] %s\n  (--no-hold: going on without waiting)\n",
                why);
        return;
    }
    if (!quiet())
        out(stdout, "\n[hold] %s\n  Press Enter to go on.\n", why);
    pause_here(why);
}

void wl_dump(const void *p, size_t n, long long offset)
{
    char buf[1200];

    if (quiet())
        return;
    ml_hexdump(buf, sizeof buf, p, n > 128 ? 128 : n, offset, "    ");
    out(stdout, "%s", buf);
}

void wl_next(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    if (quiet())
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    out(stdout, "\nNext: %s\n", msg);
}

void wl_error(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    out(stderr, "%s: error: %s\n", prog_name(), msg);
    trace_simple("error", msg);
}

void wl_exit(int status)
{
    struct trace_event e;

    fflush(stdout);
    ev_begin(&e, "exit");
    trace_int(&e, "status", status);
    ev_write(&e);
    fflush(stdout);
    exit(status);
}

void wl_self_command(char *cmd, size_t cmdsz, const char *extra)
{
    char self[MAX_PATH * 2];
    DWORD n = GetModuleFileNameA(NULL, self, sizeof self);

    if (n == 0 || n >= sizeof self)
        snprintf(self, sizeof self, "%s.exe", prog_name());
    snprintf(cmd, cmdsz, "\"%s\" --trace \"%s\"%s %s", self, trace_file,
             opts.quiet ? " -q" : "", extra);
}
