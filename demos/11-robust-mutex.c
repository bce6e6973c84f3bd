/* 11-robust-mutex.c — processes that share memory must synchronise.
 *
 * The walkthrough's first process just waits for a key.  Real programs put
 * a lock in the shared object.  Here: a process-shared, robust mutex and a
 * two-part record, a counter and a log of each worker's committed
 * increments, updated in two steps inside the lock.  N workers add M each:
 * the counter is N*M.  Then a worker is killed (SIGKILL) between the two
 * steps, holding the lock: the next locker gets EOWNERDEAD, repairs the
 * counter from the log and calls pthread_mutex_consistent.  Without the
 * repair the mutex becomes ENOTRECOVERABLE; without the robust attribute
 * nobody is told, and only a timed lock gets out (ETIMEDOUT).
 * Win32: a named mutex; WaitForSingleObject returns WAIT_ABANDONED.
 *
 * Run:   bin/11-robust-mutex [-n /NAME] [-w 4] [-i 10000] [--kills 1]   (holds)
 * Look:  od -An -td8 -N 64 /dev/shm/NAME: counter, repairs, log entries, log
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "made.h"
#include "mmaplab.h"

#define MAX_WORKERS 64

struct record {                  /* at fixed offsets, for od from outside */
    long counter;                /* 0:  step 1 of an increment */
    long repairs;                /* 8:  EOWNERDEADs repaired */
    long nlog;                   /* 16: entries in log */
    long log[MAX_WORKERS + 1];   /* 24: step 2: increments each worker committed */
    pthread_mutex_t lock;        /* robust, process-shared */
    pthread_mutex_t plain;       /* process-shared, not robust */
};

static long long workers = 4, increments = 10000, kills = 1;
static int flag[2];                      /* a killed worker's "I am at the point" */

static const struct ml_option opts[] = {
    { "workers", 'w', "N", "processes that increment the counter (default 4, at most 64)",
      .kind = ML_COUNT, .to = &workers, .min = 1, .max = MAX_WORKERS },
    { "increments", 'i', "M", "increments each worker makes (default 10000)",
      .kind = ML_COUNT, .to = &increments, .min = 0, .max = 1000000 },
    { "kills", 256, "K", "workers killed inside the lock, one after another (default 1)",
      .kind = ML_COUNT, .to = &kills, .min = 0, .max = 1000000 },
    { .name = NULL },
};

static const struct ml_prog prog = {
    .name = "11-robust-mutex",
    .summary = "a robust, process-shared mutex in the object; a lock holder killed, the record repaired",
    .teaches =
        "A mutex in shared memory serialises processes.  If its owner dies, a\n"
        "robust mutex tells the next locker (EOWNERDEAD), who repairs the data and\n"
        "calls pthread_mutex_consistent.  Without the repair: ENOTRECOVERABLE.\n"
        "Without the robust attribute: a wait that never ends.",
    .prev = "10-mapped-array", .next = NULL,
    .win32 = "CreateMutex(NULL, FALSE, szMutexName); WaitForSingleObject = WAIT_ABANDONED",
    .takes = ML_TAKES_HOLD, .own = opts,
};

static long logged(const struct record *r)
{
    long sum = 0;
    for (long i = 0; i < r->nlog; i++)
        sum += r->log[i];
    return sum;
}

static void repair(struct record *r)      /* only committed increments count */
{
    r->counter = logged(r);
    r->repairs++;
}

/* One increment of worker w, in two steps inside m; a dead owner's record is
 * repaired first.  A victim stops after step 1, holding m. */
static void increment(struct record *r, pthread_mutex_t *m, int w, bool whole)
{
    if (pthread_mutex_lock(m) == EOWNERDEAD) {   /* WaitForSingleObject: WAIT_ABANDONED */
        repair(r);
        pthread_mutex_consistent(m);
    }
    r->counter++;                                /* step 1 */
    if (!whole)
        return;
    r->log[w]++;                                 /* step 2: committed */
    pthread_mutex_unlock(m);                     /* ReleaseMutex */
}

/* A worker commits one increment (if commit), starts another inside m,
 * raises the flag there, and is killed at that point. */
static void kill_holder(struct record *r, pthread_mutex_t *m, bool commit)
{
    int status;
    char c;
    pid_t pid = fork();

    if (pid == 0) {
        if (commit)
            increment(r, m, (int)workers, true);
        increment(r, m, (int)workers, false);
        if (write(flag[1], "!", 1) == 1)         /* the flagged point */
            for (;;)
                pause();
        _exit(1);
    }
    ml_must(pid > 0 && read(flag[0], &c, 1) == 1);
    ml_call("kill", "TerminateProcess(hWorker, 1)", "%d, SIGKILL", (int)pid);
    ml_must(ml_result(kill(pid, SIGKILL)) && waitpid(pid, &status, 0) == pid);
    ml_say("worker %d died of %s between its two steps, holding the lock: counter %ld, "
           "committed in the log %ld", (int)pid, WIFSIGNALED(status) &&
           WTERMSIG(status) == SIGKILL ? "SIGKILL" : "something else", r->counter, logged(r));
}

int main(int argc, char *argv[])
{
    struct ml_opts o;
    pthread_mutexattr_t attr;
    int fd, e;

    ml_start(&prog, argc, argv, &o);
    ml_step("create", "an object that holds the mutex and the record");
    ml_call("shm_open", "CreateFileMapping(INVALID_HANDLE_VALUE, ..., szName)",
            "\"%s\", O_CREAT | O_EXCL | O_RDWR, 0600", o.name);
    ml_must(ml_result(fd = shm_open(o.name, O_CREAT | O_EXCL | O_RDWR, 0600)));
    ml_made_shm(o.name);
    ml_call("ftruncate", "(the size is CreateFileMapping's argument)", "%d, %zu", fd, sizeof(struct record));
    ml_must(ml_result(ftruncate(fd, sizeof(struct record))));
    ml_call("mmap", "MapViewOfFile(hMapFile, FILE_MAP_ALL_ACCESS, ...)",
            "NULL, %zu, PROT_READ | PROT_WRITE, MAP_SHARED, %d, 0", sizeof(struct record), fd);
    struct record *r = mmap(NULL, sizeof *r, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    ml_must(ml_result_ptr(r) && pipe(flag) == 0);
    r->nlog = workers + 1;                       /* the last slot: the killed workers' */

    /* [lesson:robust] */
    ml_step("init", "a process-shared, robust mutex inside the object");
    pthread_mutexattr_init(&attr);
    ml_call("pthread_mutexattr_setpshared", "(a named Win32 mutex is shared by its name)",
            "&attr, PTHREAD_PROCESS_SHARED");
    ml_must(ml_result_err(pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED)));
    pthread_mutex_init(&r->plain, &attr);       /* the contrast, at the end: not robust */
    ml_call("pthread_mutexattr_setrobust", "(every Win32 mutex is: WAIT_ABANDONED)",
            "&attr, PTHREAD_MUTEX_ROBUST");
    ml_must(ml_result_err(pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST)));
    ml_call("pthread_mutex_init", "CreateMutex(NULL, FALSE, szMutexName)", "&rec->lock, &attr");
    ml_must(ml_result_err(pthread_mutex_init(&r->lock, &attr)));
    /* [/lesson] */

    ml_step("count", "%lld workers add %lld each, two steps inside the lock", workers, increments);
    for (int w = 0; w < workers; w++) {
        ml_call("fork", "CreateProcess", "%s", "");
        pid_t pid = fork();
        if (pid == 0) {
            for (long long i = 0; i < increments; i++)
                increment(r, &r->lock, w, true);
            _exit(0);
        }
        ml_must(ml_result(pid));
    }
    while (wait(NULL) > 0)
        ;
    ml_say("counter %ld, log %ld, expected %lld: %s", r->counter, logged(r), workers * increments,
           r->counter == workers * increments ? "no increment lost" : "INCREMENTS LOST");
    ml_must(r->counter == workers * increments);

    for (long long k = 1; k <= kills; k++) {
        ml_step("kill", "kill %lld of %lld: a worker dies inside the lock, the next locker repairs", k, kills);
        kill_holder(r, &r->lock, true);
        /* [lesson:repair] */
        ml_call("pthread_mutex_lock", "WaitForSingleObject(hMutex, INFINITE): WAIT_ABANDONED", "&rec->lock");
        ml_expect(EOWNERDEAD);
        ml_must(!ml_result_err(e = pthread_mutex_lock(&r->lock)) && e == EOWNERDEAD);
        ml_say("the record is inconsistent: counter %ld, but the log commits %ld", r->counter, logged(r));
        repair(r);
        ml_call("pthread_mutex_consistent", "(none: after WAIT_ABANDONED the mutex is simply owned)", "&rec->lock");
        ml_must(ml_result_err(pthread_mutex_consistent(&r->lock)));
        /* [/lesson] */
        ml_say("repaired: counter %ld = the log's sum %ld %s", r->counter, logged(r),
               r->counter == logged(r) ? "(consistent)" : "(STILL INCONSISTENT)");
        ml_must(r->counter == logged(r) && r->counter == workers * increments + k);
        ml_call("pthread_mutex_unlock", "ReleaseMutex(hMutex)", "&rec->lock");
        ml_must(ml_result_err(pthread_mutex_unlock(&r->lock)));
    }
    ml_hold("the record is consistent after %lld kills: od -An -td8 -N 64 /dev/shm%s", kills, o.name);

    ml_step("no-repair", "the same death, but the next locker does not repair");
    kill_holder(r, &r->lock, false);
    ml_call("pthread_mutex_lock", "WaitForSingleObject: WAIT_ABANDONED", "&rec->lock");
    ml_expect(EOWNERDEAD);
    ml_result_err(pthread_mutex_lock(&r->lock));
    ml_call("pthread_mutex_unlock", "ReleaseMutex(hMutex)", "&rec->lock /* no repair, no consistent */");
    ml_must(ml_result_err(pthread_mutex_unlock(&r->lock)));
    ml_call("pthread_mutex_lock", "(none: Windows has no unrecoverable state)", "&rec->lock");
    ml_expect(ENOTRECOVERABLE);
    ml_result_err(pthread_mutex_lock(&r->lock));
    ml_say("counter %ld, log %ld: wrong for good; only re-creating the object mends it", r->counter, logged(r));

    ml_step("not-robust", "a plain process-shared mutex whose owner dies");
    kill_holder(r, &r->plain, false);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += 500000000;
    until.tv_sec += until.tv_nsec / 1000000000, until.tv_nsec %= 1000000000;
    ml_call("pthread_mutex_timedlock", "(none: a Win32 mutex is always abandoned, never stuck)",
            "&rec->plain, now + 0.5 s");
    ml_expect(ETIMEDOUT);
    ml_result_err(pthread_mutex_timedlock(&r->plain, &until));
    ml_say("nobody is told the owner died: pthread_mutex_lock would have waited forever");

    ml_step("unlink", "unmap, close, remove the name");
    ml_call("munmap", "UnmapViewOfFile(pBuf)", "%p, %zu", (void *)r, sizeof *r);
    ml_must(ml_result(munmap(r, sizeof *r)));
    ml_call("close", "CloseHandle(hMapFile); CloseHandle(hMutex)", "%d", fd);
    ml_must(ml_result(close(fd)));
    ml_call("shm_unlink", "(none: the last CloseHandle removes a Win32 object)", "\"%s\"", o.name);
    ml_must(ml_result(shm_unlink(o.name)));
    ml_made_done();
    ml_next("that is the last program; the lessons index lists them all.");
    ml_exit(ML_DONE);
}
