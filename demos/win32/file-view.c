/* file-view.c — views of a file: two of one region, a copy-on-write one,
 * one at an offset, and one at an offset Windows refuses.
 *
 * A mapping of a file larger than the file grows the file.  Two views of
 * one region are two addresses for the same pages.  A FILE_MAP_COPY view
 * takes a private copy of a page on the first write: the file and the
 * other views never see it.  A view's offset is given as high and low
 * DWORDs and must be a multiple of the allocation granularity (64 KiB),
 * not just of the page size as mmap asks: otherwise ERROR_MAPPED_ALIGNMENT.
 *
 * POSIX twins: 07-file-pages, 08-private-cow, 10-mapped-array.  Lessons
 * quote the parts between [lesson:NAME] and [/lesson].
 */
#include "w32lab.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COW_MESSAGE "Copy-on-write: only this process sees this."
#define MARKER      "This page is 64 KiB into the file."

enum { OPT_FILE = 300, OPT_BAD_OFFSET };

static const char *path = "file-view.dat";
static unsigned long long bad_offset;      /* 0: the page size */

static int own_option(int key, const char *arg)
{
    char *end;

    switch (key) {
    case OPT_FILE:
        if (arg[0] == '\0') {
            wl_usage_error("--file needs a path");
            return -1;
        }
        path = arg;
        ml_set_object(path);        /* the trace names the file from the start */
        return 0;
    case OPT_BAD_OFFSET:
        bad_offset = strtoull(arg, &end, 0);
        if (arg[0] < '0' || arg[0] > '9' || *end != '\0' || bad_offset == 0) {
            wl_usage_error("--bad-offset takes a number of bytes above 0, such "
                           "as 4096, not '%s'", arg);
            return -1;
        }
        return 0;
    }
    return -1;
}

static const struct wl_option own[] = {
    { "file", OPT_FILE, "PATH", "the file to map; it is made, or emptied, "
                                "and left for you (default file-view.dat)" },
    { "bad-offset", OPT_BAD_OFFSET, "BYTES", "the offset to show refused "
                                "(default: the page size, 4096)" },
    { NULL, 0, NULL, NULL },
};

static const struct wl_prog prog = {
    .name = "file-view",
    .summary = "map a file: shared views, a copy-on-write view, view offsets",
    .teaches =
        "CreateFile and CreateFileMapping of a file (which grows the file to\n"
        "the mapping's size), two views of one region, a FILE_MAP_COPY view\n"
        "whose writes stay private, a view at an offset given as high and low\n"
        "DWORDs, and the offset Windows refuses: not a multiple of the\n"
        "allocation granularity gives ERROR_MAPPED_ALIGNMENT (1132).",
    .posix = "07-file-pages, 08-private-cow, 10-mapped-array (open, mmap "
             "MAP_SHARED and MAP_PRIVATE, offsets)",
    .takes = WL_TAKES_MESSAGE | WL_TAKES_HOLD,
    .own = own,
    .own_option = own_option,
};

/* The four views end alike. */
static void unmap(const char *name, void *view, const char *posix)
{
    BOOL ok;

    ml_call("UnmapViewOfFile", posix, "%s", name);
    ok = UnmapViewOfFile(view);                         /* munmap */
    ml_must(wl_result_bool(ok));
}

/* A FILE_MAP_COPY view of the first granule, written: the write copies
 * the page for this process alone. */
static char *cow_view(HANDLE hMapFile, unsigned long long gran, const char *pA)
{
    char *pC;

    ml_step("cow", "a copy-on-write view: its writes stay in this process");
    /* [lesson:cow] */
    ml_call("MapViewOfFile",
            "mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0)",
            "hMapFile, FILE_MAP_COPY, 0, 0, %llu", gran);
    ml_call_range(NULL, (size_t)gran, 0);
    pC = MapViewOfFile(hMapFile,
                       FILE_MAP_COPY,       /* MAP_PRIVATE: a write copies the page */
                       0, 0,                /* offset 0 */
                       (SIZE_T)gran);       /* the first granule */
    ml_must(wl_result_ptr(pC));
    ml_call("CopyMemory", "memcpy(private_addr, msg, strlen(msg) + 1)",
            "pC, \"%s\", %zu", COW_MESSAGE, sizeof COW_MESSAGE);
    ml_call_range(pC, sizeof COW_MESSAGE, 0);
    CopyMemory(pC, COW_MESSAGE, sizeof COW_MESSAGE);  /* this page is copied first */
    wl_result_void();
    /* [/lesson] */
    ml_say("through pC: \"%s\"", pC);
    ml_say("through pA: \"%s\" (unchanged: the write went to a private copy)", pA);
    return pC;
}

/* A marker 64 KiB into the file, and a view that starts there. */
static char *offset_view(HANDLE hMapFile, unsigned long long gran, char *pA)
{
    char *pD;

    ml_step("offset", "a view that starts 64 KiB into the file");
    ml_call("CopyMemory", "memcpy(addr + 65536, marker, strlen(marker) + 1)",
            "pA + %llu, \"%s\", %zu", gran, MARKER, sizeof MARKER);
    ml_call_range(pA + gran, sizeof MARKER, (long long)gran);
    CopyMemory(pA + gran, MARKER, sizeof MARKER);       /* memcpy */
    wl_result_void();
    /* [lesson:offset] */
    DWORD offHigh = (DWORD)(gran >> 32);           /* a 64-bit offset, split */
    DWORD offLow = (DWORD)(gran & 0xffffffffu);
    ml_call("MapViewOfFile", "mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 65536)",
            "hMapFile, FILE_MAP_READ, %lu, %lu, %llu", (unsigned long)offHigh,
            (unsigned long)offLow, gran);
    ml_call_range(NULL, (size_t)gran, (long long)gran);
    pD = MapViewOfFile(hMapFile,
                       FILE_MAP_READ,      /* PROT_READ */
                       offHigh, offLow,    /* mmap's off_t offset, as two DWORDs */
                       (SIZE_T)gran);      /* one granule */
    ml_must(wl_result_ptr(pD));
    /* [/lesson] */
    ml_say("through pD, at its start: \"%s\"", pD);
    return pD;
}

/* A view at an offset mmap would take and Windows refuses (by default one
 * page in): the failure is the point. */
static void misaligned_view(HANDLE hMapFile, DWORD dwPageSize)
{
    char posixBad[160];                  /* the POSIX call at the offset asked for */
    char *pBad;
    DWORD offHigh, offLow;

    /* [lesson:misaligned] */
    offHigh = (DWORD)(bad_offset >> 32);
    offLow = (DWORD)(bad_offset & 0xffffffffu);
    snprintf(posixBad, sizeof posixBad, "mmap(NULL, len, PROT_READ, MAP_SHARED, fd, %llu) "
             "(mmap asks only for a multiple of the page size)", bad_offset);
    ml_call("MapViewOfFile", posixBad,
            "hMapFile, FILE_MAP_READ, %lu, %lu, %lu", (unsigned long)offHigh,
            (unsigned long)offLow, (unsigned long)dwPageSize);
    ml_expect(ERROR_MAPPED_ALIGNMENT);
    ml_call_range(NULL, dwPageSize, (long long)bad_offset);
    pBad = MapViewOfFile(hMapFile,
                         FILE_MAP_READ,    /* PROT_READ */
                         offHigh, offLow,  /* one page in: mmap takes it, Windows does not */
                         dwPageSize);      /* one page */
    wl_result_ptr(pBad);                   /* NULL, ERROR_MAPPED_ALIGNMENT (1132) */
    /* [/lesson] */
    if (pBad == NULL && !ml_failed_as_expected())
        ml_exit(ML_FAILED);
    if (pBad != NULL && !UnmapViewOfFile(pBad))  /* Windows took it after all */
        wl_die("UnmapViewOfFile(pBad)");
}

/* Read the file itself, not a view: the shared view's message is there,
 * the copy-on-write text is not. */
static void verify_file(HANDLE hFile, const char *message)
{
    LARGE_INTEGER zero = { .QuadPart = 0 };
    char fileHead[128];
    DWORD got = 0;
    BOOL ok;

    ml_step("verify", "read the file itself, not a view");
    /* [lesson:verify] */
    ml_call("SetFilePointerEx", "lseek(fd, 0, SEEK_SET)", "hFile, 0, NULL, FILE_BEGIN");
    ok = SetFilePointerEx(hFile,       /* lseek(fd, ...) */
                          zero,        /* 0 */
                          NULL,        /* the new position: not wanted */
                          FILE_BEGIN); /* SEEK_SET */
    ml_must(wl_result_bool(ok));
    ZeroMemory(fileHead, sizeof fileHead);
    ml_call("ReadFile", "read(fd, buf, sizeof buf - 1)",
            "hFile, fileHead, %zu, &got, NULL", sizeof fileHead - 1);
    ok = ReadFile(hFile,                /* read(fd, ...) */
                  fileHead,             /* buf */
                  sizeof fileHead - 1,  /* room, leaving a '\0' */
                  &got,                 /* read's return value */
                  NULL);                /* not overlapped: it waits */
    ml_must(wl_result_bool(ok));
    /* [/lesson] */
    ml_say("the file begins with \"%s\"", fileHead);
    if (strcmp(fileHead, message) != 0) {
        ml_error("the file does not hold the message written through the shared "
                 "view");
        ml_exit(ML_FAILED);
    }
    ml_say("the shared view's message reached the file; the copy-on-write text "
           "did not: it lives only in this process's private page");
}

int main(int argc, char *argv[])
{
    struct wl_opts o;
    SYSTEM_INFO si;
    HANDLE hFile, hMapFile;
    char *pA, *pB, *pC, *pD;
    LARGE_INTEGER fileSize;
    BOOL ok;
    int shown;

    ml_set_object(path);
    wl_start(&prog, argc, argv, &o);
    size_t len = strlen(o.message) + 1;
    if (len > 4096) {
        ml_error("the message (%zu bytes with its '\\0') must fit in a page "
                 "(4096 bytes)", len);
        ml_exit(ML_USAGE);
    }

    ml_step("granularity", "how views must be aligned here");
    /* [lesson:granularity] */
    ml_call("GetSystemInfo", "sysconf(_SC_PAGESIZE)", "&si");
    GetSystemInfo(&si);                 /* sysconf(_SC_PAGESIZE): the page size only */
    wl_result_void();
    /* [/lesson] */
    unsigned long long gran = si.dwAllocationGranularity;
    unsigned long long size = 2 * gran;     /* two granules: one view at each */
    if (bad_offset == 0)
        bad_offset = si.dwPageSize;
    ml_say("dwPageSize = %lu, dwAllocationGranularity = %llu: a view may start "
           "only at a multiple of %llu bytes", (unsigned long)si.dwPageSize,
           gran, gran);

    ml_step("open", "the file, made anew");
    /* [lesson:open] */
    ml_call("CreateFile", "open(path, O_RDWR | O_CREAT | O_TRUNC, 0644)",
            "\"%s\", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | "
            "FILE_SHARE_WRITE, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL",
            path);
    hFile = CreateFile(path,
                       GENERIC_READ | GENERIC_WRITE,        /* O_RDWR */
                       FILE_SHARE_READ | FILE_SHARE_WRITE,  /* others may open it too */
                       NULL,                                /* default security */
                       CREATE_ALWAYS,                       /* O_CREAT | O_TRUNC */
                       FILE_ATTRIBUTE_NORMAL,               /* mode 0644, roughly */
                       NULL);                               /* no template file */
    ml_must(wl_result_file(hFile));
    /* [/lesson] */

    ml_step("create", "a mapping of the file, larger than the empty file");
    /* [lesson:create] */
    ml_call("CreateFileMapping", "ftruncate(fd, size) (mmap itself never grows a file)",
            "hFile, NULL, PAGE_READWRITE, 0, %llu, NULL", size);
    hMapFile = CreateFileMapping(hFile,          /* the file, not the paging file */
                                 NULL,           /* default security */
                                 PAGE_READWRITE, /* views: read-write or copy */
                                 0, (DWORD)size, /* ftruncate: the file grows */
                                 NULL);          /* no name: this process alone */
    ml_must(wl_result_handle(hMapFile));
    ml_call("GetFileSizeEx", "fstat(fd, &st) + st.st_size", "hFile, &fileSize");
    ok = GetFileSizeEx(hFile, &fileSize);        /* fstat: st_size */
    ml_must(wl_result_bool(ok));
    /* [/lesson] */
    ml_say("the file is %lld bytes now: the mapping grew it", fileSize.QuadPart);

    ml_step("map", "two views of the same region");
    /* [lesson:two-views] */
    ml_call("MapViewOfFile",
            "mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)",
            "hMapFile, FILE_MAP_ALL_ACCESS, 0, 0, %llu", size);
    ml_call_range(NULL, (size_t)size, 0);
    pA = MapViewOfFile(hMapFile,            /* mmap(..., fd, ...) */
                       FILE_MAP_ALL_ACCESS, /* PROT_READ | PROT_WRITE, MAP_SHARED */
                       0, 0,                /* offset 0 */
                       (SIZE_T)size);       /* all of it */
    ml_must(wl_result_ptr(pA));
    ml_call("MapViewOfFile", "mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0)",
            "hMapFile, FILE_MAP_READ, 0, 0, %llu", gran);
    ml_call_range(NULL, (size_t)gran, 0);
    pB = MapViewOfFile(hMapFile,
                       FILE_MAP_READ,       /* PROT_READ */
                       0, 0,                /* the same offset: the same pages */
                       (SIZE_T)gran);       /* the first granule */
    ml_must(wl_result_ptr(pB));
    /* [/lesson] */

    ml_step("copy", "the message through the first view");
    ml_call("CopyMemory", "memcpy(addr, msg, strlen(msg) + 1)",
            "pA, \"%s\", %zu", o.message, len);
    ml_call_range(pA, len, 0);
    CopyMemory(pA, o.message, len);                     /* memcpy */
    wl_result_void();

    ml_step("read", "the message through the second view, at another address");
    ml_call("printf", "printf(\"%s\\n\", addr2)", "\"%%s\\n\", pB");
    shown = printf("%s\n", pB);
    ml_must(wl_result_int(shown));
    ml_say("pA = 0x%llx and pB = 0x%llx: two addresses, one page of the file",
           (unsigned long long)(uintptr_t)pA, (unsigned long long)(uintptr_t)pB);

    pC = cow_view(hMapFile, gran, pA);

    pD = offset_view(hMapFile, gran, pA);

    misaligned_view(hMapFile, si.dwPageSize);

    ml_step("flush", "write the shared view's dirty pages to the file");
    /* [lesson:flush] */
    ml_call("FlushViewOfFile", "msync(addr, size, MS_SYNC)", "pA, 0");
    ok = FlushViewOfFile(pA,           /* msync(addr, ...) */
                         0);           /* 0: the whole view */
    ml_must(wl_result_bool(ok));
    /* [/lesson] */

    verify_file(hFile, o.message);

    ml_hold("look at %s now (xxd %s | head -n 3); press Enter to unmap and close",
            path, path);

    ml_step("unmap", "all four views");
    unmap("pA", pA, "munmap(addr, size)");
    unmap("pB", pB, "munmap(addr2, len)");
    unmap("pC", pC, "munmap(private_addr, len): the private copy is freed");
    unmap("pD", pD, "munmap(addr3, len)");

    ml_step("close", "the mapping, then the file");
    ml_call("CloseHandle", "(no mapping object on POSIX: the views hold the file)",
            "hMapFile");
    ok = CloseHandle(hMapFile);                         /* POSIX: nothing */
    ml_must(wl_result_bool(ok));
    ml_call("CloseHandle", "close(fd)", "hFile");
    ok = CloseHandle(hFile);                            /* close(fd) */
    ml_must(wl_result_bool(ok));

    ml_next("%s is left for you (%lld bytes): it begins with the message and "
            "holds the marker at 64 KiB, never the copy-on-write text. Delete it "
            "when done.", path, fileSize.QuadPart);
    ml_exit(ML_DONE);
}
