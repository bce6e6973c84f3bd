/* last_error.c — GetLastError() for people: the codes' names, the
 * system's text, and the hint for each failure, chosen by the call (the
 * Win32 side of lib/explain.c).
 */
#include "w32lab.h"

#include <stdio.h>
#include <string.h>

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
void wl_error_text(DWORD err, char *outbuf, size_t outsz)
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

void wl_hint(const char *call, DWORD err, const char *object,
             char *h, size_t hsz)
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
