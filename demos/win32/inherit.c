/* inherit.c — a handle passed to a child process by inheritance.
 *
 * The parent makes an unnamed mapping (no name: inheritance is the only way
 * in), writes a message into it and starts itself again as a child, with
 * the handle's value on the command line.  The child maps that value, reads
 * the message and writes a reply the parent then reads.  Two flags must
 * both be TRUE: SECURITY_ATTRIBUTES.bInheritHandle when the handle is made,
 * and CreateProcess's bInheritHandles.  Without either, the value means
 * nothing in the child: MapViewOfFile fails with ERROR_INVALID_HANDLE.
 *
 * POSIX twin: 06-inherit (a descriptor without FD_CLOEXEC survives fork and
 * execve under the same number).  Lessons quote the parts between
 * [lesson:NAME] and [/lesson].
 */
#include "w32lab.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUF_SIZE  256
#define REPLY_AT  128           /* the child writes its reply here */

enum { OPT_NO_SA = 300, OPT_NO_CP, OPT_CHILD = 0x4000, OPT_EXPECT_INVALID };

static BOOL sa_inherit = TRUE;     /* SECURITY_ATTRIBUTES.bInheritHandle */
static BOOL cp_inherit = TRUE;     /* CreateProcess's bInheritHandles */
static bool child, expect_invalid;
static unsigned long long child_value;

static int own_option(int key, const char *arg)
{
    char *end;

    switch (key) {
    case OPT_NO_SA: sa_inherit = FALSE; return 0;
    case OPT_NO_CP: cp_inherit = FALSE; return 0;
    case OPT_EXPECT_INVALID: expect_invalid = true; return 0;
    case OPT_CHILD:
        child = true;
        child_value = strtoull(arg, &end, 0);
        if (*arg == '\0' || *end != '\0') {
            wl_usage_error("--child takes a handle value such as 0x1a4, not "
                           "'%s'", arg);
            return -1;
        }
        return 0;
    }
    return -1;
}

static const struct wl_option own[] = {
    { "no-sa-inherit", OPT_NO_SA, NULL,
      "make the handle with bInheritHandle = FALSE (the child fails)" },
    { "no-cp-inherit", OPT_NO_CP, NULL,
      "start the child with bInheritHandles = FALSE (the child fails)" },
    { "child", OPT_CHILD, "HANDLE", "(how the parent starts the child)" },
    { "expect-invalid", OPT_EXPECT_INVALID, NULL, "(the child's expectation)" },
    { NULL, 0, NULL, NULL },
};

static const struct wl_prog prog = {
    .name = "inherit",
    .summary = "pass a mapping's handle to a child process by inheritance",
    .teaches =
        "An unnamed mapping reaches a child only by inheritance: the handle\n"
        "must be made inheritable (SECURITY_ATTRIBUTES.bInheritHandle = TRUE)\n"
        "and the child started with CreateProcess(..., bInheritHandles = TRUE,\n"
        "...); its value is then valid in the child, which learns it from its\n"
        "command line. Take away either flag (--no-sa-inherit, --no-cp-inherit)\n"
        "and the child's MapViewOfFile fails with ERROR_INVALID_HANDLE.",
    .posix = "06-inherit (fork + execve keep descriptors without FD_CLOEXEC)",
    .takes = WL_TAKES_MESSAGE,
    .own = own,
    .own_option = own_option,
};

/* The child (--child VALUE): the value on its command line is the parent's
 * handle, valid here only if it was inherited.  It never returns. */
static _Noreturn void be_the_child(void)
{
    HANDLE hMapFile = (HANDLE)(uintptr_t)child_value;   /* fd = atoi(argv[i]) */
    char *pBuf, reply[64];
    BOOL ok;

    ml_step("inherited", "map the handle value the parent passed on the "
            "command line");
    /* [lesson:child-map] */
    ml_call("MapViewOfFile",
            "mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)",
            "0x%llx, FILE_MAP_ALL_ACCESS, 0, 0, 0", child_value);
    if (expect_invalid)
        ml_expect(ERROR_INVALID_HANDLE);
    pBuf = MapViewOfFile(hMapFile,             /* mmap(..., fd, ...) */
                         FILE_MAP_ALL_ACCESS,  /* PROT_READ | PROT_WRITE */
                         0, 0,                 /* offset 0 */
                         0);                   /* 0: all of it */
    if (!wl_result_ptr(pBuf) && ml_failed_as_expected()) {
        ml_say("0x%llx is not a handle in this process: it was not "
               "inherited", child_value);
        ml_exit(ML_DONE);
    }
    ml_must(pBuf != NULL);
    /* [/lesson] */
    if (expect_invalid) {
        ml_error("the handle was usable although the parent took away an "
                 "inheritance flag");
        ml_exit(ML_FAILED);
    }

    ml_step("read", "the parent's message, through the inherited handle");
    int n = (int)strnlen(pBuf, REPLY_AT);
    ml_call("printf", "printf(\"%s\\n\", addr)", "\"%%.*s\\n\", %d, pBuf", n);
    int shown = printf("%.*s\n", n, pBuf);
    ml_must(wl_result_int(shown));

    ml_step("copy", "a reply for the parent, into the same pages");
    snprintf(reply, sizeof reply, "Reply from child process %lu.",
             (unsigned long)GetCurrentProcessId());     /* getpid() */
    ml_call("CopyMemory", "memcpy(addr + 128, reply, strlen(reply) + 1)",
            "pBuf + %d, \"%s\", %zu", REPLY_AT, reply, strlen(reply) + 1);
    CopyMemory(pBuf + REPLY_AT, reply, strlen(reply) + 1);  /* memcpy */
    wl_result_void();

    ml_step("unmap", "the child's view");
    ml_call("UnmapViewOfFile", "munmap(addr, size)", "pBuf");
    ok = UnmapViewOfFile(pBuf);                         /* munmap */
    ml_must(wl_result_bool(ok));
    ml_step("close", "the child's copy of the handle");
    ml_call("CloseHandle", "close(fd)", "0x%llx", child_value);
    ok = CloseHandle(hMapFile);                         /* close(fd) */
    ml_must(wl_result_bool(ok));
    ml_exit(ML_DONE);
}

/* Start this program again as the child, with the handle's value on its
 * command line.  Returns its process and thread. */
static PROCESS_INFORMATION start_child(HANDLE hMapFile, bool inherited)
{
    char extra[128], cmdline[MAX_PATH * 4 + 256];
    STARTUPINFO si = { .cb = sizeof si };
    PROCESS_INFORMATION pi;
    BOOL ok;

    ml_step("spawn", "a child, with the handle's value on its command line");
    /* [lesson:spawn] */
    snprintf(extra, sizeof extra, "--child 0x%llx%s",
             (unsigned long long)(uintptr_t)hMapFile,   /* the value, as a number */
             inherited ? "" : " --expect-invalid");
    wl_self_command(cmdline, sizeof cmdline, extra);
    ml_say("cmdline: %s", cmdline);
    ml_call("CreateProcess",
            "fork() + execv(path, argv) (descriptors without FD_CLOEXEC "
            "survive execve)",
            "NULL, cmdline, NULL, NULL, %s, 0, NULL, NULL, &si, &pi",
            cp_inherit ? "TRUE" : "FALSE");
    ok = CreateProcess(NULL,          /* the program: the first word of cmdline */
                       cmdline,       /* argv, as one string */
                       NULL, NULL,    /* default security for process and thread */
                       cp_inherit,    /* bInheritHandles: pass inheritable handles */
                       0, NULL, NULL, /* no flags; our environment and directory */
                       &si, &pi);
    ml_must(wl_result_bool(ok));
    /* [/lesson] */
    if (!cp_inherit)
        ml_say("without bInheritHandles the child inherits no handle at all, not "
               "even this console's output: its narration may be lost here, "
               "its trace is not");

    return pi;
}

int main(int argc, char *argv[])
{
    struct wl_opts o;
    HANDLE hMapFile;
    char *pBuf;
    PROCESS_INFORMATION pi;
    DWORD code = 0, w;
    BOOL ok;

    wl_start(&prog, argc, argv, &o);
    if (child)
        be_the_child();
    size_t len = strlen(o.message) + 1;
    if (len > REPLY_AT) {
        ml_error("the message (%zu bytes with its '\\0') must fit in %d bytes: "
                 "the child's reply goes after it", len, REPLY_AT);
        ml_exit(ML_USAGE);
    }
    bool inherited = sa_inherit && cp_inherit;

    ml_step("create", "an unnamed mapping, its handle %sinheritable",
            sa_inherit ? "" : "NOT ");
    /* [lesson:create] */
    SECURITY_ATTRIBUTES sa = {
        .nLength = sizeof sa,
        .lpSecurityDescriptor = NULL,  /* default security */
        .bInheritHandle = sa_inherit,  /* TRUE: fcntl(fd, F_SETFD, 0), no FD_CLOEXEC */
    };
    ml_call("CreateFileMapping",
            "memfd_create(\"inherit\", 0) + ftruncate(fd, size) (no MFD_CLOEXEC: "
            "execve keeps it)",
            "INVALID_HANDLE_VALUE, &sa {bInheritHandle = %s}, PAGE_READWRITE, 0, "
            "%d, NULL", sa_inherit ? "TRUE" : "FALSE", BUF_SIZE);
    hMapFile = CreateFileMapping(INVALID_HANDLE_VALUE,  /* memfd_create */
                                 &sa,                   /* inheritable or not */
                                 PAGE_READWRITE,        /* O_RDWR */
                                 0, BUF_SIZE,           /* ftruncate(fd, 256) */
                                 NULL);   /* no name: only inheritance reaches it */
    ml_must(wl_result_handle(hMapFile));
    /* [/lesson] */

    ml_step("map", "a view in the parent");
    ml_call("MapViewOfFile",
            "mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)",
            "hMapFile, FILE_MAP_ALL_ACCESS, 0, 0, %d", BUF_SIZE);
    ml_call_range(NULL, BUF_SIZE, 0);
    pBuf = MapViewOfFile(hMapFile, FILE_MAP_ALL_ACCESS, 0, 0, BUF_SIZE);  /* mmap */
    ml_must(wl_result_ptr(pBuf));

    ml_step("copy", "the message, for the child to read");
    ml_call("CopyMemory", "memcpy(addr, msg, strlen(msg) + 1)",
            "pBuf, \"%s\", %zu", o.message, len);
    CopyMemory(pBuf, o.message, len);                       /* memcpy */
    wl_result_void();

    pi = start_child(hMapFile, inherited);

    ml_step("wait", "for the child to finish");
    /* [lesson:wait] */
    ml_call("WaitForSingleObject", "waitpid(pid, &status, 0)",
            "pi.hProcess, 60000");
    w = WaitForSingleObject(pi.hProcess,  /* waitpid(pid, ...) */
                            60000);       /* ms: a lost child must not hang us */
    ml_must(wl_result_wait(w));
    ml_call("GetExitCodeProcess", "waitpid(pid, &status, 0) + WEXITSTATUS(status)",
            "pi.hProcess, &code");
    ok = GetExitCodeProcess(pi.hProcess,  /* the child */
                            &code);       /* WEXITSTATUS(status) */
    ml_must(wl_result_bool(ok));
    /* [/lesson] */
    ml_say("the child's exit code: %lu (%s)", (unsigned long)code,
           code == 0 ? "it saw what was expected" : "it did not");

    ml_step("read", "what the child left in the shared pages");
    bool replied = pBuf[REPLY_AT] != '\0';
    if (replied) {
        int n = (int)strnlen(pBuf + REPLY_AT, BUF_SIZE - REPLY_AT);
        ml_call("printf", "printf(\"%s\\n\", addr + 128)",
                "\"%%.*s\\n\", %d, pBuf + %d", n, REPLY_AT);
        int shown = printf("%.*s\n", n, pBuf + REPLY_AT);  /* the same printf */
        ml_must(wl_result_int(shown));
    }
    if (inherited && replied)
        ml_say("the child's reply is here: one object, mapped in two processes "
               "through one inherited handle");
    else if (!inherited && !replied)
        ml_say("the reply area is still zero: the value meant nothing in the "
               "child, because %s was FALSE",
               sa_inherit ? "bInheritHandles" : "bInheritHandle");

    ml_step("unmap", "the parent's view");
    ml_call("UnmapViewOfFile", "munmap(addr, size)", "pBuf");
    ok = UnmapViewOfFile(pBuf);                         /* munmap */
    ml_must(wl_result_bool(ok));
    ml_step("close", "the mapping and the child's process and thread handles");
    ml_call("CloseHandle", "close(fd)", "hMapFile");
    ok = CloseHandle(hMapFile);                         /* close(fd) */
    ml_must(wl_result_bool(ok));
    ml_call("CloseHandle", "(a pid needs no closing)", "pi.hProcess");
    ok = CloseHandle(pi.hProcess);                      /* POSIX: nothing */
    ml_must(wl_result_bool(ok));
    ml_call("CloseHandle", "(a thread id needs no closing)", "pi.hThread");
    ok = CloseHandle(pi.hThread);                       /* POSIX: nothing */
    ml_must(wl_result_bool(ok));

    if (code != 0 || replied != inherited) {
        ml_error("the child %s, which is not what the flags say should happen",
                 replied ? "replied" : "did not reply");
        ml_exit(ML_FAILED);
    }
    ml_next("%s", inherited
            ? "run it with --no-sa-inherit or --no-cp-inherit: the same value, "
              "no longer a handle in the child"
            : "run it without that option: both flags TRUE, and the child maps it");
    ml_exit(ML_DONE);
}
