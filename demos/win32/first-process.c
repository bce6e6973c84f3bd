/* first-process.c — the first process of the Win32 walkthrough.
 *
 * It creates a named file mapping backed by the paging file, maps a view
 * of it, copies a message into it, and waits while second-process reads it.
 * When it closes its handle, and no other process holds one, the object and
 * its name are gone: Windows has no shm_unlink.
 *
 * POSIX twins: 01-create, 02-map, 03-copy, and 05-close for the end.
 * Lessons quote the parts between [lesson:NAME] and [/lesson].
 */
#include "w32lab.h"

#include <string.h>

static const struct wl_prog prog = {
    .name = "first-process",
    .summary = "create a named mapping, map a view, copy a message in, hold",
    .teaches =
        "The first process of the Win32 walkthrough: CreateFileMapping backed\n"
        "by the paging file, MapViewOfFile, CopyMemory, then a hold while\n"
        "second-process reads the message. A name that is already taken is\n"
        "not an error on Windows: CreateFileMapping opens the existing object\n"
        "and GetLastError() says ERROR_ALREADY_EXISTS.",
    .posix = "01-create + 02-map + 03-copy (shm_open, ftruncate, mmap, memcpy)",
    .takes = WL_TAKES_NAME | WL_TAKES_SIZE | WL_TAKES_MESSAGE | WL_TAKES_HOLD,
};

int main(int argc, char *argv[])
{
    struct wl_opts o;
    HANDLE hMapFile;
    LPVOID pBuf;
    DWORD dwErr;
    BOOL ok;

    wl_start(&prog, argc, argv, &o);
    size_t len = strlen(o.message) + 1;        /* with its '\0' */
    if (len > o.size) {
        ml_error("the message (%zu bytes with its final '\\0') does not fit in "
                 "%llu bytes: give a larger -s or a shorter -m; nothing was "
                 "created", len, o.size);
        ml_exit(ML_USAGE);
    }

    ml_step("create", "a named file mapping object, backed by the paging file");
    /* [lesson:create] */
    ml_call("CreateFileMapping",
            "shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600) + ftruncate(fd, size)",
            "INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, %lu, %lu, \"%s\"",
            (unsigned long)(o.size >> 32), (unsigned long)(o.size & 0xffffffffu),
            o.name);
    hMapFile = CreateFileMapping(
        INVALID_HANDLE_VALUE,          /* the paging file: shm_open's object */
        NULL,                          /* default security: like mode 0600, but not the
                                          same: the default DACL also admits SYSTEM
                                          and the Administrators */
        PAGE_READWRITE,                /* O_RDWR */
        (DWORD)(o.size >> 32),         /* the size, high DWORD: ftruncate(fd, size) */
        (DWORD)(o.size & 0xffffffffu), /* the size, low DWORD */
        o.name);                       /* no leading '/': "/MyFileMappingObject" */
    dwErr = GetLastError();            /* read at once: the next call may change it */
    ml_must(wl_result_handle(hMapFile));
    /* [/lesson] */

    /* [lesson:already-exists] */
    if (dwErr == ERROR_ALREADY_EXISTS) {
        /* POSIX: O_EXCL makes shm_open fail with EEXIST instead. */
        ml_say("\"%s\" existed already: this handle opens that object, with "
               "the size it was created with (a larger -s cannot be mapped). "
               "POSIX O_EXCL would have failed with EEXIST. The message copied "
               "below replaces the one its creator copied: both processes share "
               "one object now.", o.name);
    }
    /* [/lesson] */

    ml_step("map", "a view of the whole object into this process");
    /* [lesson:map] */
    ml_call("MapViewOfFile",
            "mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)",
            "hMapFile, FILE_MAP_ALL_ACCESS, 0, 0, %llu", o.size);
    ml_call_range(NULL, (size_t)o.size, 0);
    pBuf = MapViewOfFile(hMapFile,            /* mmap(..., fd, ...) */
                         FILE_MAP_ALL_ACCESS, /* PROT_READ | PROT_WRITE, MAP_SHARED */
                         0, 0,                /* offset 0, as high and low DWORDs */
                         (SIZE_T)o.size);     /* length */
    ml_must(wl_result_ptr(pBuf));   /* exiting closes hMapFile, as close(fd) */
    /* [/lesson] */

    ml_step("copy", "the message into the view: plain memory, no system call");
    /* [lesson:copy] */
    ml_call("CopyMemory", "memcpy(addr, msg, strlen(msg) + 1)",
            "pBuf, \"%s\", %zu", o.message, len);
    ml_call_range(pBuf, len, 0);
    CopyMemory(pBuf,                   /* memcpy(addr, ...): the view */
               o.message,              /* the message */
               len);                   /* the '\0' too, for a reader's strlen */
    wl_result_void();
    /* [/lesson] */
    ml_dump(pBuf, len, 0);

    /* The hold is the original's _getch(), with the view mapped. */
    /* [lesson:hold] */
    ml_hold("run second-process now (-n \"%s\"); it opens the object by name "
            "while this process holds the handle. Press Enter here to unmap "
            "and close.", o.name);   /* the original's _getch() */
    /* [/lesson] */

    ml_step("unmap", "remove the view from this process");
    /* [lesson:unmap] */
    ml_call("UnmapViewOfFile", "munmap(addr, size)", "pBuf");
    ok = UnmapViewOfFile(pBuf);        /* munmap(addr, size): the view's address */
    ml_must(wl_result_bool(ok));
    /* [/lesson] */

    ml_step("close", "close the handle: the last one ends the object and its name");
    /* [lesson:close] */
    ml_call("CloseHandle", "close(fd)", "hMapFile");
    ok = CloseHandle(hMapFile);        /* close(fd); there is no shm_unlink */
    ml_must(wl_result_bool(ok));
    /* [/lesson] */
    ml_say("Windows keeps a named object while any process has a handle to it. "
           "If this was the last handle, \"%s\" no longer exists: "
           "OpenFileMapping now fails with ERROR_FILE_NOT_FOUND (2). A POSIX "
           "name stays until shm_unlink (05-close).", o.name);

    ml_next("run second-process again: with no handle open, the name is gone");
    ml_exit(ML_DONE);
}
