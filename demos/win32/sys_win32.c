/* sys_win32.c — the Win32 side of the narration (lib/sys.h): errors come
 * from GetLastError() and are named and explained by last_error.c, a line
 * is read with ReadFile, and the result functions read the last error
 * before anything else can change it.
 */
#include "w32lab.h"
#include "narrate.h"
#include "sys.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

const char ml_sys_twin[] = "POSIX";
const char ml_sys_twin_key[] = "posix";
const char ml_sys_ret_sep[] = "  ";

void ml_sys_vformat(char *out, size_t outsz, const char *fmt, va_list ap)
{
    vsnprintf(out, outsz, fmt, ap);
}

/* No fork here: a child is a process of its own, with its own start. */
void ml_sys_started(void)
{
}

void ml_sys_before_event(void)
{
}

void ml_sys_before_call(void)
{
    SetLastError(0);
}

const char *ml_sys_error_name(long long err)
{
    return wl_error_name((DWORD)err);
}

void ml_sys_explain(const char *call, long long err, size_t span_len,
                    char *words, size_t wordsz, char *hint, size_t hintsz)
{
    char text[512];

    (void)span_len;
    wl_error_text((DWORD)err, text, sizeof text);
    snprintf(words, wordsz, "GetLastError() = %lu %s (%s)",
             (unsigned long)err, wl_error_name((DWORD)err), text);
    wl_hint(call, (DWORD)err, ml_this_run.object ? ml_this_run.object : "", hint, hintsz);
}

/* Create* succeed on a name that exists, and say so only here. */
bool ml_sys_success_note(const char *call, long long err,
                         char *words, size_t wordsz)
{
    if (err != ERROR_ALREADY_EXISTS || strncmp(call, "Create", 6) != 0)
        return false;
    snprintf(words, wordsz, "GetLastError() = %lu %s (it existed already: "
             "this handle opens it)", (unsigned long)err,
             wl_error_name((DWORD)err));
    return true;
}

bool ml_read_line(void)
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

/* ---- results: each reads GetLastError() first --------------------------- */

static const char *hex(char *s, size_t ssz, const void *p)
{
    snprintf(s, ssz, "0x%llx", (unsigned long long)(uintptr_t)p);
    return s;
}

bool wl_result_handle(HANDLE h)
{
    DWORD err = GetLastError();
    char s[32];

    return ml_report(h == NULL ? "NULL" : hex(s, sizeof s, h), h == NULL,
                     err, NULL);
}

bool wl_result_file(HANDLE h)
{
    DWORD err = GetLastError();
    char s[32];
    bool failed = h == INVALID_HANDLE_VALUE;

    return ml_report(failed ? "INVALID_HANDLE_VALUE" : hex(s, sizeof s, h),
                     failed, err, NULL);
}

bool wl_result_ptr(const void *p)
{
    DWORD err = GetLastError();
    char s[32];

    return ml_report(p == NULL ? "NULL" : hex(s, sizeof s, p), p == NULL,
                     err, p);
}

bool wl_result_bool(BOOL ok)
{
    DWORD err = GetLastError();

    return ml_report(ok ? "TRUE" : "FALSE", !ok, err, NULL);
}

bool wl_result_wait(DWORD w)
{
    DWORD err = GetLastError();

    return ml_report(wl_wait_name(w), w == WAIT_FAILED, err, NULL);
}

bool wl_result_size(SIZE_T n)
{
    DWORD err = GetLastError();
    char s[32];

    snprintf(s, sizeof s, "%llu", (unsigned long long)n);
    return ml_report(s, n == 0, err, NULL);
}

bool wl_result_int(int n)
{
    DWORD err = GetLastError();
    char s[32];

    snprintf(s, sizeof s, "%d", n);
    return ml_report(s, n < 0, err, NULL);
}

bool wl_result_positive(int n)
{
    DWORD err = GetLastError();
    char s[32];

    snprintf(s, sizeof s, "%d", n);
    return ml_report(s, n <= 0, err, NULL);
}

void wl_result_void(void)
{
    ml_report("(void)", false, 0, NULL);
}

void wl_die(const char *call)
{
    DWORD err = GetLastError();
    char text[512];

    wl_error_text(err, text, sizeof text);
    ml_error("%s failed: GetLastError() = %lu %s (%s)", call,
             (unsigned long)err, wl_error_name(err), text);
    ml_exit(ML_FAILED);
}
