/* mutex.c — a named mutex whose owner dies holding it.
 *
 * The parent makes the shared data and the named mutex that guards it,
 * and starts itself again as the holder: the holder takes the mutex, gets
 * halfway through an update of the data, and is killed (TerminateProcess)
 * before it can finish or release.  The parent's next wait returns
 * WAIT_ABANDONED: it now owns the mutex, and it alone knows the data may be
 * half-updated, so it repairs the data before releasing.  On Windows the
 * mutex itself needs no repair; a POSIX robust mutex must be marked with
 * pthread_mutex_consistent, or it becomes unusable (ENOTRECOVERABLE).
 *
 * POSIX twin: 11-robust-mutex.  Lessons quote the parts between
 * [lesson:NAME] and [/lesson].
 */
#include "w32lab.h"

#include <stdio.h>
#include <string.h>

enum { OPT_HOLDER = 0x4000 };

static bool holder;

static int own_option(int key, const char *arg)
{
    (void)arg;
    if (key == OPT_HOLDER) {
        holder = true;
        return 0;
    }
    return -1;
}

static const struct wl_option own[] = {
    { "holder", OPT_HOLDER, NULL, "(how the parent starts the holder)" },
    { NULL, 0, NULL, NULL },
};

static const struct wl_prog prog = {
    .name = "mutex",
    .summary = "a named mutex abandoned by a killed owner, reported and repaired",
    .teaches =
        "A holder process takes a named mutex, starts an update of shared data\n"
        "and is killed with TerminateProcess. The next WaitForSingleObject on\n"
        "the mutex returns WAIT_ABANDONED: the waiter owns it, repairs the half\n"
        "done update, and releases it; the mutex then works as before. The\n"
        "mapping NAME.data holds the data, the event NAME.ready says the holder\n"
        "has the mutex.",
    .posix = "11-robust-mutex (pthread_mutex_lock returns EOWNERDEAD; "
             "pthread_mutex_consistent)",
    .default_name = "MyMutexObject",
    .takes = WL_TAKES_NAME | WL_TAKES_HOLD,
    .own = own,
    .own_option = own_option,
};

/* What the mutex guards.  Its rule: updating is 0 whenever nobody owns the
 * mutex. */
struct shared {
    LONG value;
    LONG updating;
    char note[112];
};

/* The holder, started by the parent with --holder: take the mutex, break
 * the data's rule halfway through an update, say so, and wait to be
 * killed.  It never returns. */
static _Noreturn void hold_until_killed(const char *name, const char *dataName,
                                        const char *readyName)
{
    HANDLE hMutex, hMapFile, hReady;
    struct shared *data;
    DWORD w;
    BOOL ok;

    ml_step("open", "the mutex, the data and the event, by name");
    ml_call("OpenMutex", "(the child of fork shares the mutex in the mapping)",
            "SYNCHRONIZE, FALSE, \"%s\"", name);
    hMutex = OpenMutex(SYNCHRONIZE, FALSE, name);   /* POSIX: inherited by fork */
    ml_must(wl_result_handle(hMutex));
    ml_call("OpenFileMapping", "shm_open(name, O_RDWR, 0)",
            "FILE_MAP_ALL_ACCESS, FALSE, \"%s\"", dataName);
    hMapFile = OpenFileMapping(FILE_MAP_ALL_ACCESS, FALSE, dataName);  /* shm_open */
    ml_must(wl_result_handle(hMapFile));
    ml_call("MapViewOfFile",
            "mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)",
            "hMapFile, FILE_MAP_ALL_ACCESS, 0, 0, %zu", sizeof *data);
    data = MapViewOfFile(hMapFile, FILE_MAP_ALL_ACCESS, 0, 0, sizeof *data);  /* mmap */
    ml_must(wl_result_ptr(data));
    ml_call("OpenEvent", "sem_open(name, 0)",
            "EVENT_MODIFY_STATE, FALSE, \"%s\"", readyName);
    hReady = OpenEvent(EVENT_MODIFY_STATE, FALSE, readyName);   /* sem_open */
    ml_must(wl_result_handle(hReady));

    ml_step("lock", "take the mutex and start an update");
    /* [lesson:holder] */
    ml_call("WaitForSingleObject", "pthread_mutex_lock(&data->lock)",
            "hMutex, INFINITE");
    w = WaitForSingleObject(hMutex,     /* pthread_mutex_lock(&data->lock) */
                            INFINITE);  /* no time limit */
    ml_must(wl_result_wait(w));
    data->updating = 1;             /* the rule is broken from here ... */
    data->value += 1;
    snprintf(data->note, sizeof data->note, "half-updated by process %lu",
             (unsigned long)GetCurrentProcessId());
    /* ... to the end of the update, which never comes */
    /* [/lesson] */
    ml_say("value = %ld, updating = %ld: halfway through", (long)data->value,
           (long)data->updating);
    /* The heading comes first: once the event is set, the parent may
     * print or kill at any moment. */
    ml_step("sleep", "holding the mutex until the parent kills this process");
    ml_call("SetEvent", "sem_post(ready)", "hReady");
    ok = SetEvent(hReady);                              /* sem_post */
    ml_must(wl_result_bool(ok));
    ml_call("Sleep", "pause()", "60000");
    Sleep(60000);                                       /* pause() */
    wl_result_void();
    ml_error("nobody killed the holder within a minute; it exits with the "
             "mutex, which abandons it all the same");
    ml_exit(ML_FAILED);
}

/* Start this program again as the holder, and wait until it owns the
 * mutex (it sets hReady then).  Returns its process and thread. */
static PROCESS_INFORMATION start_holder(const char *name, HANDLE hReady)
{
    char cmdline[MAX_PATH * 4 + 256], extra[MAX_PATH + 32];
    STARTUPINFO si = { .cb = sizeof si };
    PROCESS_INFORMATION pi;
    DWORD w;
    BOOL ok;

    ml_step("holder", "start the process that will die holding the mutex");
    snprintf(extra, sizeof extra, "--holder -n \"%s\"", name);
    wl_self_command(cmdline, sizeof cmdline, extra);
    ml_say("cmdline: %s", cmdline);
    ml_call("CreateProcess", "fork()",
            "NULL, cmdline, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi");
    ok = CreateProcess(NULL, cmdline,   /* this program, with --holder */
                       NULL, NULL,      /* default security */
                       FALSE,           /* no handle inherited: it opens by name */
                       0, NULL, NULL,   /* no flags; our environment and directory */
                       &si, &pi);       /* fork() */
    ml_must(wl_result_bool(ok));
    ml_call("WaitForSingleObject", "sem_wait(ready)", "hReady, 30000");
    w = WaitForSingleObject(hReady, 30000);                /* sem_wait */
    if (!wl_result_wait(w) || w != WAIT_OBJECT_0) {
        ml_error("the holder did not take the mutex within 30 s");
        if (!TerminateProcess(pi.hProcess, 1))             /* kill */
            wl_die("TerminateProcess");
        ml_exit(ML_FAILED);
    }
    return pi;
}

int main(int argc, char *argv[])
{
    struct wl_opts o;
    HANDLE hMapFile, hMutex, hReady;
    struct shared *data;
    char dataName[MAX_PATH + 16], readyName[MAX_PATH + 16];
    PROCESS_INFORMATION pi;
    DWORD w;
    BOOL ok;

    wl_start(&prog, argc, argv, &o);
    snprintf(dataName, sizeof dataName, "%s.data", o.name);
    snprintf(readyName, sizeof readyName, "%s.ready", o.name);
    if (holder)
        hold_until_killed(o.name, dataName, readyName);

    ml_step("create", "the shared data, the named mutex, and a ready signal");
    ml_call("CreateFileMapping",
            "shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600) + ftruncate(fd, size)",
            "INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, %zu, \"%s\"",
            sizeof *data, dataName);
    hMapFile = CreateFileMapping(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0,
                                 sizeof *data, dataName);   /* shm_open + ftruncate */
    ml_must(wl_result_handle(hMapFile));
    ml_call("MapViewOfFile",
            "mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)",
            "hMapFile, FILE_MAP_ALL_ACCESS, 0, 0, %zu", sizeof *data);
    data = MapViewOfFile(hMapFile, FILE_MAP_ALL_ACCESS, 0, 0, sizeof *data);  /* mmap */
    ml_must(wl_result_ptr(data));
    /* [lesson:create] */
    ml_call("CreateMutex",
            "pthread_mutex_init(&data->lock, &attr) (attr: "
            "PTHREAD_PROCESS_SHARED, PTHREAD_MUTEX_ROBUST)",
            "NULL, FALSE, \"%s\"", o.name);
    hMutex = CreateMutex(NULL,       /* pthread_mutex_init(&data->lock, &attr) */
                         FALSE,      /* not owned yet */
                         o.name);    /* a kernel object: robust by nature */
    ml_must(wl_result_handle(hMutex));
    /* [/lesson] */
    ml_call("CreateEvent", "sem_open(name, O_CREAT, 0600, 0)",
            "NULL, TRUE, FALSE, \"%s\"", readyName);
    hReady = CreateEvent(NULL, TRUE, FALSE, readyName);  /* sem_open(..., 0) */
    ml_must(wl_result_handle(hReady));

    pi = start_holder(o.name, hReady);
    ml_say("the holder owns the mutex: value = %ld, updating = %ld",
           (long)data->value, (long)data->updating);

    ml_hold("the holder (process %lu) owns \"%s\". Press Enter to kill it.",
            (unsigned long)pi.dwProcessId, o.name);

    ml_step("kill", "end the holder at once, the mutex still owned");
    /* [lesson:kill] */
    ml_call("TerminateProcess", "kill(pid, SIGKILL)", "pi.hProcess, 137");
    ok = TerminateProcess(pi.hProcess,  /* kill(pid, ...) */
                          137);         /* its exit code: as 128 + SIGKILL */
    ml_must(wl_result_bool(ok));
    ml_call("WaitForSingleObject", "waitpid(pid, &status, 0)",
            "pi.hProcess, 30000");
    w = WaitForSingleObject(pi.hProcess, 30000);          /* waitpid */
    ml_must(wl_result_wait(w));
    /* [/lesson] */

    ml_step("wait", "for the mutex its owner can no longer release");
    /* [lesson:abandoned] */
    ml_call("WaitForSingleObject",
            "pthread_mutex_lock(&data->lock) (EOWNERDEAD)", "hMutex, 10000");
    w = WaitForSingleObject(hMutex,     /* pthread_mutex_lock: EOWNERDEAD */
                            10000);     /* ms: a dead owner must not hang us */
    ml_must(wl_result_wait(w));
    if (w != WAIT_ABANDONED) {
        ml_error("the wait returned %s, not WAIT_ABANDONED", wl_wait_name(w));
        ml_exit(ML_FAILED);
    }
    /* [/lesson] */
    ml_say("WAIT_ABANDONED: this process owns the mutex now, and its last owner "
           "died holding it. The data may be half-updated: value = %ld, "
           "updating = %ld, note \"%s\"", (long)data->value,
           (long)data->updating, data->note);

    ml_step("repair", "restore the rule the dead owner broke");
    /* [lesson:repair] */
    if (data->updating) {
        data->value -= 1;               /* undo the half-done update */
        data->updating = 0;
        snprintf(data->note, sizeof data->note, "repaired by process %lu",
                 (unsigned long)GetCurrentProcessId());
    }
    /* POSIX must also call pthread_mutex_consistent(&data->lock) here;
     * a Win32 mutex needs nothing: the ownership has passed already. */
    /* [/lesson] */
    ml_say("repaired: value = %ld, updating = %ld, note \"%s\"",
           (long)data->value, (long)data->updating, data->note);

    ml_step("release", "let the mutex go");
    ml_call("ReleaseMutex", "pthread_mutex_unlock(&data->lock)", "hMutex");
    ok = ReleaseMutex(hMutex);                          /* pthread_mutex_unlock */
    ml_must(wl_result_bool(ok));

    ml_step("again", "the mutex works as before");
    ml_call("WaitForSingleObject", "pthread_mutex_lock(&data->lock)",
            "hMutex, 10000");
    w = WaitForSingleObject(hMutex, 10000);   /* pthread_mutex_lock: 0 */
    ml_must(wl_result_wait(w));
    if (w != WAIT_OBJECT_0) {
        ml_error("the mutex did not come back cleanly: %s", wl_wait_name(w));
        ml_exit(ML_FAILED);
    }
    ml_call("ReleaseMutex", "pthread_mutex_unlock(&data->lock)", "hMutex");
    ok = ReleaseMutex(hMutex);                          /* pthread_mutex_unlock */
    ml_must(wl_result_bool(ok));

    ml_step("close", "every handle");
    ml_call("UnmapViewOfFile", "munmap(addr, size)", "data");
    ok = UnmapViewOfFile(data);                         /* munmap */
    ml_must(wl_result_bool(ok));
    ml_call("CloseHandle", "close(fd)", "hMapFile");
    ok = CloseHandle(hMapFile);                         /* close(fd) */
    ml_must(wl_result_bool(ok));
    ml_call("CloseHandle", "pthread_mutex_destroy(&data->lock)", "hMutex");
    ok = CloseHandle(hMutex);                           /* pthread_mutex_destroy */
    ml_must(wl_result_bool(ok));
    ml_call("CloseHandle", "sem_close(ready)", "hReady");
    ok = CloseHandle(hReady);                           /* sem_close */
    ml_must(wl_result_bool(ok));
    ml_call("CloseHandle", "(a pid needs no closing)", "pi.hProcess");
    ok = CloseHandle(pi.hProcess);                      /* POSIX: nothing */
    ml_must(wl_result_bool(ok));
    ml_call("CloseHandle", "(a thread id needs no closing)", "pi.hThread");
    ok = CloseHandle(pi.hThread);                       /* POSIX: nothing */
    ml_must(wl_result_bool(ok));
    ml_exit(ML_DONE);
}
