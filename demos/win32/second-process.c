/* second-process.c — the second process of the Win32 walkthrough.
 *
 * It opens the mapping first-process made, by name, maps a view, shows the
 * message (a console line; with --box the original's MessageBox), holds,
 * and lets go.  Run it after first-process has closed its handle and the
 * open fails with ERROR_FILE_NOT_FOUND: on Windows a name lives only as
 * long as a handle to it.
 *
 * POSIX twin: 04-open.  Lessons quote the parts between [lesson:NAME] and
 * [/lesson].
 */
#include "w32lab.h"

#include <stdio.h>
#include <string.h>

enum { OPT_BOX = 300 };

static bool box;

static int own_option(int key, const char *arg)
{
    (void)arg;
    if (key == OPT_BOX) {
        box = true;
        return 0;
    }
    return -1;
}

static const struct wl_option own[] = {
    { "box", OPT_BOX, NULL, "show the message in a MessageBox, as the original "
                            "does (needs a desktop)" },
    { NULL, 0, NULL, NULL },
};

static const struct wl_prog prog = {
    .name = "second-process",
    .summary = "open the named mapping, map a view, show the message, hold",
    .teaches =
        "The second process of the Win32 walkthrough: OpenFileMapping by name,\n"
        "MapViewOfFile, the message shown (a console line instead of the\n"
        "original's MessageBox, unless --box), a hold, then UnmapViewOfFile and\n"
        "CloseHandle. With first-process gone, the open fails with\n"
        "ERROR_FILE_NOT_FOUND: the name died with the last handle.",
    .posix = "04-open (shm_open, mmap, printf)",
    .size_help = "how many bytes to map (BUF_SIZE)",
    .takes = WL_TAKES_NAME | WL_TAKES_SIZE | WL_TAKES_HOLD,
    .own = own,
    .own_option = own_option,
};

int main(int argc, char *argv[])
{
    struct wl_opts o;
    HANDLE hMapFile;
    LPCSTR pBuf;
    int shown;
    BOOL ok;

    wl_start(&prog, argc, argv, &o);

    ml_step("open", "the mapping, by its name");
    /* [lesson:open] */
    ml_call("OpenFileMapping", "shm_open(name, O_RDWR, 0)",
            "FILE_MAP_ALL_ACCESS, FALSE, \"%s\"", o.name);
    hMapFile = OpenFileMapping(FILE_MAP_ALL_ACCESS, /* O_RDWR */
                               FALSE,               /* not inheritable: O_CLOEXEC */
                               o.name);             /* "/MyFileMappingObject" */
    ml_must(wl_result_handle(hMapFile));
    /* [/lesson] */

    ml_step("map", "a view of it into this process");
    /* [lesson:map] */
    ml_call("MapViewOfFile",
            "mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)",
            "hMapFile, FILE_MAP_ALL_ACCESS, 0, 0, %llu", o.size);
    ml_call_range(NULL, (size_t)o.size, 0);
    pBuf = MapViewOfFile(hMapFile,            /* mmap(..., fd, ...) */
                         FILE_MAP_ALL_ACCESS, /* PROT_READ | PROT_WRITE, MAP_SHARED */
                         0, 0,                /* offset 0, as high and low DWORDs */
                         (SIZE_T)o.size);     /* length: BUF_SIZE */
    ml_must(wl_result_ptr(pBuf));   /* exiting closes hMapFile, as close(fd) */
    /* [/lesson] */

    /* The creator may not have ended the message inside the view. */
    int n = (int)strnlen(pBuf, (size_t)o.size);
    ml_step("read", "the message, straight from the shared pages");
    /* [lesson:read] */
    if (box) {
        ml_call("MessageBox", "printf(\"%s\\n\", addr)",
                "NULL, pBuf, \"Process2\", MB_OK");
        shown = MessageBox(NULL,          /* no owner window */
                           pBuf,          /* the text: the shared pages */
                           "Process2",    /* the caption */
                           MB_OK);        /* one button; it waits for it */
        if (!wl_result_positive(shown))
            ml_say("no desktop to show it on; here it is: %.*s", n, pBuf);
    } else {
        ml_call("printf", "printf(\"%s\\n\", addr)", "\"%%.*s\\n\", %d, pBuf", n);
        shown = printf("%.*s\n",       /* the original: MessageBox */
                       n, pBuf);        /* at most the view's bytes */
        ml_must(wl_result_int(shown));
    }
    /* [/lesson] */

    /* The hold is the original's MessageBox waiting for OK. */
    ml_hold("second-process holds its view and handle of \"%s\". Press Enter "
            "to unmap and close.", o.name);

    ml_step("unmap", "remove the view from this process");
    /* [lesson:unmap] */
    ml_call("UnmapViewOfFile", "munmap(addr, size)", "pBuf");
    ok = UnmapViewOfFile(pBuf);        /* munmap(addr, size): the view's address */
    ml_must(wl_result_bool(ok));
    /* [/lesson] */

    ml_step("close", "close this process's handle");
    /* [lesson:close] */
    ml_call("CloseHandle", "close(fd)", "hMapFile");
    ok = CloseHandle(hMapFile);        /* close(fd) */
    ml_must(wl_result_bool(ok));
    /* [/lesson] */

    ml_next("press Enter in first-process: when its handle closes too, the "
            "object and its name are gone");
    ml_exit(ML_DONE);
}
