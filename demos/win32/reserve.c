/* reserve.c — reserve a large mapping, commit a part, and see the part
 * committed from a second process.
 *
 * SEC_RESERVE makes a mapping backed by the paging file whose pages are
 * only reserved: they cost no commit charge until VirtualAlloc(MEM_COMMIT)
 * commits some of them through a view.  The commit belongs to the object,
 * so another process that maps it sees those pages committed, and the rest
 * still reserved.  On Windows, touching a reserved page raises an access
 * violation; Wine does not reproduce that, so nothing here touches one.
 *
 * Run it, and while it holds run `reserve.exe --open` with the same name.
 * POSIX twin: 09-reserve-grow.  Lessons quote the parts between
 * [lesson:NAME] and [/lesson].
 */
#include "w32lab.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum { OPT_COMMIT = 300, OPT_OPEN };

static unsigned long long commit = 64 * 1024;
static bool opener;

static int own_option(int key, const char *arg)
{
    char why[256];

    switch (key) {
    case OPT_COMMIT:
        if (wl_parse_size(arg, &commit, why, sizeof why) == -1) {
            wl_usage_error("--commit: %s", why);
            return -1;
        }
        return 0;
    case OPT_OPEN:
        opener = true;
        return 0;
    }
    return -1;
}

static const struct wl_option own[] = {
    { "commit", OPT_COMMIT, "BYTES", "how much of the view to commit (default 64k)" },
    { "open", OPT_OPEN, NULL, "be the second process: open the object by name "
                              "and look at what is committed" },
    { NULL, 0, NULL, NULL },
};

static const struct wl_prog prog = {
    .name = "reserve",
    .summary = "reserve a mapping (SEC_RESERVE), commit part of it, share it",
    .teaches =
        "CreateFileMapping with SEC_RESERVE reserves the pages of a mapping\n"
        "backed by the paging file without committing them; VirtualAlloc with\n"
        "MEM_COMMIT on a view commits a part. The commit is the object's: a\n"
        "second process (--open) sees that part committed and the rest reserved\n"
        "(VirtualQuery). On Windows a reserved page faults when touched (Wine\n"
        "lets it pass, so nothing here touches one).",
    .posix = "09-reserve-grow (ftruncate to grow, mmap of the reserved range)",
    .size_help = "how much to reserve",
    .default_size = 1024 * 1024,
    .takes = WL_TAKES_NAME | WL_TAKES_SIZE | WL_TAKES_MESSAGE | WL_TAKES_HOLD,
    .own = own,
    .own_option = own_option,
};

static const char *state_name(DWORD state)
{
    return state == MEM_COMMIT ? "MEM_COMMIT" : state == MEM_RESERVE
           ? "MEM_RESERVE" : state == MEM_FREE ? "MEM_FREE" : "?";
}

/* The region of the view that starts at offset: which state its pages are
 * in, and how far that state goes.  Both processes ask; the second one
 * sees what the first committed. */
static MEMORY_BASIC_INFORMATION query(const char *posix, char *pView,
                                      unsigned long long offset, const char *where)
{
    MEMORY_BASIC_INFORMATION mbi;
    SIZE_T n;

    if (offset == 0)
        ml_call("VirtualQuery", posix, "pView, &mbi, %zu", sizeof mbi);
    else
        ml_call("VirtualQuery", posix, "pView + %llu, &mbi, %zu", offset,
                sizeof mbi);
    /* [lesson:query-other] */
    n = VirtualQuery(pView + offset,    /* mincore(addr, ...): an address */
                     &mbi,              /* filled: State, RegionSize */
                     sizeof mbi);       /* its size */
    ml_must(wl_result_size(n));
    /* [/lesson] */
    ml_say("%s: State = %s, RegionSize = %llu", where, state_name(mbi.State),
           (unsigned long long)mbi.RegionSize);
    return mbi;
}

/* Both processes end alike: the view, then the handle. */
static void unmap_and_close(char *pView, HANDLE hMapFile, const char *view_why,
                            const char *handle_why)
{
    BOOL ok;

    ml_step("unmap", "%s", view_why);
    ml_call("UnmapViewOfFile", "munmap(addr, size)", "pView");
    ok = UnmapViewOfFile(pView);                        /* munmap */
    ml_must(wl_result_bool(ok));
    ml_step("close", "%s", handle_why);
    ml_call("CloseHandle", "close(fd)", "hMapFile");
    ok = CloseHandle(hMapFile);                         /* close(fd) */
    ml_must(wl_result_bool(ok));
}

/* The second process (--open): open, map, look, read. */
static _Noreturn void look_from_another_process(const char *name)
{
    HANDLE hMapFile;
    char *pView;

    ml_step("open", "the reserved mapping, by name");
    ml_call("OpenFileMapping", "shm_open(name, O_RDWR, 0)",
            "FILE_MAP_ALL_ACCESS, FALSE, \"%s\"", name);
    hMapFile = OpenFileMapping(FILE_MAP_ALL_ACCESS, FALSE, name);  /* shm_open */
    ml_must(wl_result_handle(hMapFile));

    ml_step("map", "all of it (0: the whole object)");
    ml_call("MapViewOfFile",
            "mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)",
            "hMapFile, FILE_MAP_ALL_ACCESS, 0, 0, 0");
    pView = MapViewOfFile(hMapFile, FILE_MAP_ALL_ACCESS, 0, 0, 0);  /* mmap */
    ml_must(wl_result_ptr(pView));

    ml_step("query", "which pages the other process committed");
    MEMORY_BASIC_INFORMATION first = query("(mincore(addr, len, vec) shows "
                                           "residency; POSIX has no commit state)",
                                           pView, 0, "at pView");
    query("(mincore(addr, len, vec))", pView, first.RegionSize, "after it");
    if (first.State != MEM_COMMIT) {
        ml_error("the first pages are not committed here: run reserve.exe "
                 "(without --open) first and leave it holding");
        ml_exit(ML_FAILED);
    }
    ml_say("the %llu bytes the creator committed are committed here too: "
           "the commit is the object's, not the view's",
           (unsigned long long)first.RegionSize);

    ml_step("read", "the message, from the committed pages");
    int n = (int)strnlen(pView, first.RegionSize);
    ml_call("printf", "printf(\"%s\\n\", addr)", "\"%%.*s\\n\", %d, pView", n);
    int shown = printf("%.*s\n", n, pView);                /* the same printf */
    ml_must(wl_result_int(shown));

    unmap_and_close(pView, hMapFile, "this process's view", "this process's handle");
    ml_exit(ML_DONE);
}

int main(int argc, char *argv[])
{
    struct wl_opts o;
    HANDLE hMapFile;
    char *pView;
    LPVOID pCommitted;

    wl_start(&prog, argc, argv, &o);
    if (opener)
        look_from_another_process(o.name);
    size_t len = strlen(o.message) + 1;
    if (commit >= o.size || len > commit) {
        ml_error("--commit (%llu) must be less than -s (%llu), and hold the "
                 "message (%zu bytes)", commit, o.size, len);
        ml_exit(ML_USAGE);
    }

    ml_step("create", "a mapping whose pages are reserved, not committed");
    /* [lesson:create] */
    ml_call("CreateFileMapping",
            "shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600) + ftruncate(fd, "
            "size) (tmpfs takes a page only when it is touched)",
            "INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE | SEC_RESERVE, %lu, %lu, "
            "\"%s\"", (unsigned long)(o.size >> 32),
            (unsigned long)(o.size & 0xffffffffu), o.name);
    hMapFile = CreateFileMapping(INVALID_HANDLE_VALUE,  /* the paging file: shm_open */
                                 NULL,                  /* default security */
                                 PAGE_READWRITE | SEC_RESERVE,  /* reserve only */
                                 (DWORD)(o.size >> 32),         /* size, high DWORD */
                                 (DWORD)(o.size & 0xffffffffu), /* low: ftruncate */
                                 o.name);
    ml_must(wl_result_handle(hMapFile));
    /* [/lesson] */

    ml_step("map", "a view of all of it: address space, still no commit");
    ml_call("MapViewOfFile",
            "mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)",
            "hMapFile, FILE_MAP_ALL_ACCESS, 0, 0, 0");
    pView = MapViewOfFile(hMapFile, FILE_MAP_ALL_ACCESS, 0, 0, 0);  /* mmap */
    ml_must(wl_result_ptr(pView));

    ml_step("query", "the view's pages before the commit");
    query("(mincore(addr, len, vec) shows residency; POSIX has no commit state)",
          pView, 0, "at pView");
    ml_say("on Windows, touching a reserved page raises an access violation "
           "(EXCEPTION_ACCESS_VIOLATION); Wine does not, so this program never "
           "touches one");

    ml_step("commit", "the first part of the view");
    /* [lesson:commit] */
    ml_call("VirtualAlloc",
            "ftruncate(fd, len) (grow what may be touched) + mprotect(addr, "
            "len, PROT_READ | PROT_WRITE)",
            "pView, %llu, MEM_COMMIT, PAGE_READWRITE", commit);
    ml_call_range(pView, (size_t)commit, 0);
    pCommitted = VirtualAlloc(pView,            /* inside the view */
                              (SIZE_T)commit,   /* ftruncate + mprotect */
                              MEM_COMMIT,       /* charge these pages, now usable */
                              PAGE_READWRITE);
    ml_must(wl_result_ptr(pCommitted));
    /* [/lesson] */
    query("(mincore(addr, len, vec))", pView, 0, "at pView");
    query("(mincore(addr, len, vec))", pView, commit, "after the committed part");

    ml_step("copy", "the message, into a committed page");
    ml_call("CopyMemory", "memcpy(addr, msg, strlen(msg) + 1)",
            "pView, \"%s\", %zu", o.message, len);
    ml_call_range(pView, len, 0);
    CopyMemory(pView, o.message, len);                  /* memcpy */
    wl_result_void();

    ml_hold("run reserve.exe --open -n \"%s\" now: it sees %llu bytes committed "
            "and the rest reserved. Press Enter here to unmap and close.",
            o.name, commit);

    unmap_and_close(pView, hMapFile, "the view (the commit stays with the object)",
                    "the handle: with the last one, the object goes");
    ml_exit(ML_DONE);
}
