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
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "made.h"
#include "mmaplab.h"
#include "touch.h"

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
    .prev = "10-mapped-array", .next = "12-channels",
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
 * says so (a victim killed from outside first is an end of input, not a
 * wait for ever), and is killed at that point. */
static void kill_holder(struct record *r, pthread_mutex_t *m, bool commit)
{
    struct ml_link flag;                     /* the victim's "I am at the point" */
    char c;

    ml_link_open(&flag);
    pid_t pid = ml_spawn(NULL);
    if (pid == 0) {
        ml_link_child(&flag);
        if (commit)
            increment(r, m, (int)workers, true);
        increment(r, m, (int)workers, false);
        ml_link_put(&flag, "!", 1);           /* the flagged point */
        for (;;)
            pause();
    }
    ml_link_parent(&flag);
    ml_link_go(&flag);
    ml_link_get(&flag, &c, 1);
    ml_call("kill", "TerminateProcess(hWorker, 1)", "%d, SIGKILL", (int)pid);
    ml_must(ml_result(kill(pid, SIGKILL)));
    int status = ml_reap(pid);
    ml_link_close(&flag);
    ml_say("worker %d died of %s between its two steps, holding the lock: counter %ld, "
           "committed in the log %ld", (int)pid, WIFSIGNALED(status) &&
           WTERMSIG(status) == SIGKILL ? "SIGKILL" : "something else", r->counter, logged(r));
}

/* Reap the counting workers and say what the count came to.  A worker
 * killed from outside is named, with its signal and what it committed; the
 * mutex it may have died holding is taken once more to see whether it was
 * left owner-dead; and the record is judged by the log, which holds only
 * committed increments: the counter must equal it, whatever died. */
static void counted(struct record *r, const pid_t *pid)
{
    int status[MAX_WORKERS], dead = 0, e;
    char how[128];
    long before = r->repairs;

    for (int w = 0; w < workers; w++) {
        status[w] = ml_reap(pid[w]);
        dead += status[w] != 0;
    }
    if (dead == 0) {
        ml_say("counter %ld, log %ld, expected %lld: %s", r->counter, logged(r), workers * increments,
               r->counter == workers * increments ? "no increment lost" : "INCREMENTS LOST");
        ml_must(r->counter == workers * increments);
        return;
    }
    for (int w = 0; w < workers; w++)
        if (status[w] != 0)
            ml_say("worker %d (pid %d) %s%s, after committing %ld of its %lld increments", w,
                   (int)pid[w], ml_how_ended(status[w], how, sizeof how),
                   WIFSIGNALED(status[w]) ? ", not by this program" : "", r->log[w], increments);
    ml_call("pthread_mutex_lock", "WaitForSingleObject(hMutex, INFINITE)",
            "&rec->lock /* did a dead worker leave it owner-dead? */");
    e = pthread_mutex_lock(&r->lock);
    if (!ml_result_err(e) && e != EOWNERDEAD)
        ml_exit(ML_FAILED);
    if (e == EOWNERDEAD) {
        ml_say("yes: a worker died holding it, between its two steps (counter %ld, log %ld)",
               r->counter, logged(r));
        repair(r);
        ml_call("pthread_mutex_consistent", "(none: after WAIT_ABANDONED the mutex is simply owned)", "&rec->lock");
        ml_must(ml_result_err(pthread_mutex_consistent(&r->lock)));
    }
    ml_call("pthread_mutex_unlock", "ReleaseMutex(hMutex)", "&rec->lock");
    ml_must(ml_result_err(pthread_mutex_unlock(&r->lock)));
    long repairs = r->repairs - before;
    ml_say("the robust mutex %s: %ld EOWNERDEAD%s repaired (%s)", repairs ? "recovered" : "was never "
           "left owner-dead", repairs, repairs == 1 ? "" : "s", e == EOWNERDEAD ? "the last one here"
           : repairs ? "by the next worker to lock it" : "no worker died holding it");
    if (r->counter == logged(r))
        ml_say("counter %ld = the log's sum %ld: consistent, no committed increment was lost; "
               "the %lld missing from %lld were never made, by the worker%s that died",
               r->counter, logged(r), workers * increments - logged(r), workers * increments,
               dead == 1 ? "" : "s");
    else
        ml_say("counter %ld, but the log commits %ld: INCONSISTENT", r->counter, logged(r));
    ml_error("%d worker%s did not finish its count, so the record cannot hold %lld x %lld: the "
             "rest of this program needs every worker's increments; run it again and leave "
             "the workers alone (a killed lock holder comes next, on purpose)", dead,
             dead == 1 ? "" : "s", workers, increments);
    ml_exit(ML_FAILED);
}

int main(int argc, char *argv[])
{
    struct ml_opts o;
    pthread_mutexattr_t attr;
    pid_t pid[MAX_WORKERS];
    int fd, e;

    ml_start(&prog, argc, argv, &o);
    ml_step("create", "an object that holds the mutex and the record");
    ml_call("shm_open", "CreateFileMapping(INVALID_HANDLE_VALUE, ..., szName)",
            "\"%s\", O_CREAT | O_EXCL | O_RDWR, 0600", o.name);
    fd = shm_open(o.name, O_CREAT | O_EXCL | O_RDWR, 0600);
    ml_must(ml_result(fd));
    ml_made_shm(o.name);
    ml_call("ftruncate", "(the size is CreateFileMapping's argument)", "%d, %zu", fd, sizeof(struct record));
    ml_must(ml_result(ftruncate(fd, sizeof(struct record))));
    /* ftruncate gives the size, not the page: on a full /dev/shm the first
     * store into the mutex would be SIGBUS, in whichever process made it. */
    ml_call("posix_fallocate", "(none: CreateFileMapping commits the section's pages)",
            "%d, 0, %zu", fd, sizeof(struct record));
    e = posix_fallocate(fd, 0, sizeof(struct record));
    if (!ml_result_err(e))
        ml_stop_without_room(e, "the mutex and the record need a page of /dev/shm before any "
                             "process touches them");
    ml_call("mmap", "MapViewOfFile(hMapFile, FILE_MAP_ALL_ACCESS, ...)",
            "NULL, %zu, PROT_READ | PROT_WRITE, MAP_SHARED, %d, 0", sizeof(struct record), fd);
    struct record *r = mmap(NULL, sizeof *r, PROT_READ | PROT_WRITE,
                            MAP_SHARED,      /* the mutex must be the same memory in every process */
                            fd, 0);
    ml_must(ml_result_ptr(r));
    r->nlog = workers + 1;                       /* the last slot: the killed workers' */

    /* [lesson:robust] */
    ml_step("init", "a process-shared, robust mutex inside the object");
    e = pthread_mutexattr_init(&attr);
    if (e != 0)
        ml_fail_err("pthread_mutexattr_init", e);
    ml_call("pthread_mutexattr_setpshared", "(a named Win32 mutex is shared by its name)",
            "&attr, PTHREAD_PROCESS_SHARED");
    ml_must(ml_result_err(pthread_mutexattr_setpshared(&attr,
                                                       PTHREAD_PROCESS_SHARED)));  /* any process that maps it */
    e = pthread_mutex_init(&r->plain, &attr);   /* the contrast, at the end: not robust */
    if (e != 0)
        ml_fail_err("pthread_mutex_init", e);
    ml_call("pthread_mutexattr_setrobust", "(every Win32 mutex is: WAIT_ABANDONED)",
            "&attr, PTHREAD_MUTEX_ROBUST");
    ml_must(ml_result_err(pthread_mutexattr_setrobust(&attr,
                                                      PTHREAD_MUTEX_ROBUST)));  /* a dead owner: EOWNERDEAD */
    ml_call("pthread_mutex_init", "CreateMutex(NULL, FALSE, szMutexName)", "&rec->lock, &attr");
    ml_must(ml_result_err(pthread_mutex_init(&r->lock,     /* in the shared record */
                                             &attr)));     /* process-shared, robust */
    /* [/lesson] */

    ml_step("count", "%lld workers add %lld each, two steps inside the lock", workers, increments);
    for (int w = 0; w < workers; w++) {
        pid[w] = ml_spawn("CreateProcess");
        if (pid[w] == 0) {
            for (long long i = 0; i < increments; i++)
                increment(r, &r->lock, w, true);
            _exit(0);
        }
    }
    counted(r, pid);

    for (long long k = 1; k <= kills; k++) {
        ml_step("kill", "kill %lld of %lld: a worker dies inside the lock, the next locker repairs", k, kills);
        kill_holder(r, &r->lock, true);
        /* [lesson:repair] */
        ml_call("pthread_mutex_lock", "WaitForSingleObject(hMutex, INFINITE): WAIT_ABANDONED", "&rec->lock");
        ml_expect(EOWNERDEAD);
        e = pthread_mutex_lock(&r->lock);
        ml_result_err(e);
        ml_must(ml_failed_as_expected());
        ml_say("the record is inconsistent: counter %ld, but the log commits %ld", r->counter, logged(r));
        repair(r);
        ml_call("pthread_mutex_consistent", "(none: after WAIT_ABANDONED the mutex is simply owned)", "&rec->lock");
        ml_must(ml_result_err(pthread_mutex_consistent(&r->lock)));
        /* [/lesson] */
        ml_say("repaired: counter %ld = the log's sum %ld %s", r->counter, logged(r),
               r->counter == logged(r) ? "(consistent)" : "(STILL INCONSISTENT)");
        if (r->counter != logged(r) || r->counter != workers * increments + k) {
            ml_error("after %lld kills the counter should be %lld = the log, and it is %ld", k,
                     workers * increments + k, r->counter);
            ml_exit(ML_FAILED);
        }
        ml_call("pthread_mutex_unlock", "ReleaseMutex(hMutex)", "&rec->lock");
        ml_must(ml_result_err(pthread_mutex_unlock(&r->lock)));
    }
    ml_hold("the record is consistent after %lld %s: od -An -td8 -N 64 /dev/shm%s", kills,
            ml_plural(kills, "kill", "kills"), o.name);

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
    ml_next("12-channels shows why processes share memory at all: the same bytes through "
            "each channel, measured.");
    ml_exit(ML_DONE);
}
