/* trace_win32.c — the Win32 twins' trace writer: the writer's part of
 * event.h (trace_begin, trace_write) with the time, the process id and the
 * file of Windows; the events are built by lib/event.c, as on POSIX.
 */
#include "w32lab.h"
#include "event.h"
#include "narrate.h"

#include <stdio.h>
#include <string.h>

static HANDLE trace_h = INVALID_HANDLE_VALUE;
static char trace_file[MAX_PATH * 2] = "off";
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

void trace_begin(struct trace_event *e, const char *prog, const char *event,
                 const char *object)
{
    trace_event_start(e, now_ns(), (long long)GetCurrentProcessId(), prog,
                      event, object);
}

static void trace_warn(const char *what, DWORD err)
{
    if (trace_warned)
        return;
    trace_warned = true;
    fflush(stdout);
    if (err)
        fprintf(stderr, "%s: warning: trace %s: GetLastError() = %lu %s; the "
                "trace is off (the program goes on)\n", ml_prog_name(), what,
                (unsigned long)err, wl_error_name(err));
    else
        fprintf(stderr, "%s: warning: trace %s; the trace is off (the program "
                "goes on)\n", ml_prog_name(), what);
    fflush(stderr);
}

/* One event, one WriteFile.  A handle with FILE_APPEND_DATA and no
 * FILE_WRITE_DATA writes every block at the end of the file, so on Windows
 * the events of several processes never interleave.  Wine emulates that
 * append with a seek and a write, which two processes can race, so each
 * write also holds an exclusive lock on one byte far past any data: the
 * events stay whole under Wine too (a POSIX program appending to the same
 * file at the same moment is not covered by the lock). */
void trace_write(struct trace_event *e)
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

/* A Unix path works under Wine while the current directory is on the drive
 * that maps / (Z:, the default): "/tmp/t.jsonl" is Z:\tmp\t.jsonl. */
const char *wl_trace_open(const char *flag, const char *env)
{
    const char *path = flag ? flag : env && env[0] ? env : NULL;
    char def[MAX_PATH + 32];

    if (path && strcmp(path, "off") == 0)
        return trace_file;
    if (path == NULL) {
        DWORD n = GetTempPathA(MAX_PATH, def);
        if (n == 0 || n >= MAX_PATH) {
            trace_warn("has no default place (GetTempPath failed)", GetLastError());
            return trace_file;
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
    return trace_file;
}
