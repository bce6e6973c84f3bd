/* lab.c — lab 03: Windows lifetime on POSIX.
 * Handout: labs/03-lifetime/README.md.   Grade: make grade LAB=03
 *
 *   ./lifetime /NAME     join the object NAME (made when absent), hold
 *                        until the end of standard input, then leave
 *
 * A Windows section goes away with its last handle; a POSIX name stays
 * until someone calls shm_unlink.  Make it behave like Windows: the object
 * counts its participants, and the last one to leave removes the name,
 * even when a participant was killed on the way.
 *
 * The object's plumbing is done (attach, detach: labs 01 and 02 were
 * about it), and so are the robust mutexes.  Fill in the TODOs.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SLOTS 32

struct shared {
    int64_t count;              /* participants: read by the grader at offset 0 */
    int64_t gone;               /* 1 once the last one removed the name */
    int64_t ready;              /* 1 once the maker has set up the mutexes */
    pthread_mutex_t lock;       /* robust, process-shared: guards all of it */
    struct {
        pthread_mutex_t held;   /* robust: locked by its participant all along */
        int64_t used;
    } slot[SLOTS];
};

static int robust_init(pthread_mutex_t *m)
{
    pthread_mutexattr_t attr;
    int r;

    if ((r = pthread_mutexattr_init(&attr)) != 0 ||
        (r = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED)) != 0 ||
        (r = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST)) != 0 ||
        (r = pthread_mutex_init(m, &attr)) != 0) {
        fprintf(stderr, "a robust mutex: %s\n", strerror(r));
        return -1;
    }
    return 0;
}

/* lock: the table's lock; a dead holder left it between whole updates of
 * used[], and count is recounted from them, so EOWNERDEAD needs no repair
 * beyond that. */
static int lock(struct shared *sh)
{
    int r = pthread_mutex_lock(&sh->lock);

    if (r == EOWNERDEAD)
        r = pthread_mutex_consistent(&sh->lock);
    if (r != 0)
        fprintf(stderr, "pthread_mutex_lock: %s\n", strerror(r));
    return r;
}

static void recount(struct shared *sh)
{
    int64_t n = 0;

    for (int i = 0; i < SLOTS; i++)
        n += sh->slot[i].used != 0;
    sh->count = n;
}

/* prune: count out every participant whose slot's mutex its holder no
 * longer holds: it was killed (EOWNERDEAD) or ended without leaving. */
static void prune(struct shared *sh, int mine)
{
    /* TODO 3: count out the dead.  For every used slot but mine, try its
     * mutex: EBUSY means its participant is alive and holds it;
     * EOWNERDEAD means it was killed (make the mutex consistent and
     * unlock it); 0 means it ended without leaving (unlock it).  Either
     * of the last two: the slot is free again (used = 0).  Then recount.
     * Lesson 11, "The POSIX step". */
    (void)mine;
    recount(sh);
}

/* attach: open or make the object; NULL with errno-style message said. */
static struct shared *attach(const char *name, int *fdp)
{
    struct shared *sh;
    struct stat st;
    int fd, made = 1;

    fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
    if (fd == -1 && errno == EEXIST) {
        made = 0;
        fd = shm_open(name, O_RDWR, 0);
    }
    if (fd == -1) {
        fprintf(stderr, "shm_open %s: %s\n", name, strerror(errno));
        return NULL;
    }
    if (made && ftruncate(fd, sizeof *sh) == -1) {
        fprintf(stderr, "ftruncate: %s\n", strerror(errno));
        shm_unlink(name);
        close(fd);
        return NULL;
    }
    /* The maker may not have sized it yet: wait, up to 5 s. */
    for (int i = 0; !made; i++) {
        if (fstat(fd, &st) == -1) {
            fprintf(stderr, "fstat: %s\n", strerror(errno));
            close(fd);
            return NULL;
        }
        if (st.st_size >= (off_t)sizeof *sh)
            break;
        if (i == 500) {
            fprintf(stderr, "%s is %lld bytes, not %zu: not this program's object\n",
                    name, (long long)st.st_size, sizeof *sh);
            close(fd);
            return NULL;
        }
        nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
    }
    sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (sh == MAP_FAILED) {
        fprintf(stderr, "mmap: %s\n", strerror(errno));
        if (made)
            shm_unlink(name);
        close(fd);
        return NULL;
    }
    if (made) {
        int bad = robust_init(&sh->lock);
        for (int i = 0; i < SLOTS && !bad; i++)
            bad = robust_init(&sh->slot[i].held);
        if (bad) {
            shm_unlink(name);
            munmap(sh, sizeof *sh);
            close(fd);
            return NULL;
        }
        __atomic_store_n(&sh->ready, 1, __ATOMIC_RELEASE);
    }
    for (int i = 0; !__atomic_load_n(&sh->ready, __ATOMIC_ACQUIRE); i++) {
        if (i == 500) {
            fprintf(stderr, "%s was never set up by its maker\n", name);
            munmap(sh, sizeof *sh);
            close(fd);
            return NULL;
        }
        nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
    }
    *fdp = fd;
    return sh;
}

static void detach(struct shared *sh, int fd, int *status)
{
    if (munmap(sh, sizeof *sh) == -1) {
        fprintf(stderr, "munmap: %s\n", strerror(errno));
        *status = 1;
    }
    if (close(fd) == -1) {
        fprintf(stderr, "close: %s\n", strerror(errno));
        *status = 1;
    }
}

int main(int argc, char **argv)
{
    struct shared *sh;
    int fd, mine = -1, status = 0, c;

    if (argc != 2 || argv[1][0] != '/') {
        fprintf(stderr, "usage: %s /NAME (a name starting with '/')\n", argv[0]);
        return 2;
    }
    const char *name = argv[1];

    /* join: a slot of one's own, its mutex held until one leaves */
    for (int tries = 0; mine < 0; tries++) {
        sh = attach(name, &fd);
        if (sh == NULL)
            return 1;
        if (lock(sh) != 0)
            return 1;
        if (sh->gone) {
            /* The last one left while we opened it: the name is gone,
             * or already another object's: start again. */
            pthread_mutex_unlock(&sh->lock);
            detach(sh, fd, &status);
            if (tries == 10) {
                fprintf(stderr, "%s: removed under us ten times running\n", name);
                return 1;
            }
            continue;
        }
        prune(sh, -1);
        for (int i = 0; i < SLOTS && mine < 0; i++)
            if (!sh->slot[i].used)
                mine = i;
        if (mine < 0) {
            pthread_mutex_unlock(&sh->lock);
            fprintf(stderr, "%s has %d participants already: no room for one more\n", name, SLOTS);
            detach(sh, fd, &status);
            return 1;
        }
        /* TODO 1: the slot is mine: lock its mutex (held until this
         * participant leaves or dies; EOWNERDEAD from a dead former
         * owner is fine once made consistent), mark it used, recount. */
        pthread_mutex_unlock(&sh->lock);
    }

    while ((c = getchar()) != EOF)
        ;

    /* leave: out of the table; the last one out removes the name */
    if (lock(sh) != 0)
        return 1;
    /* TODO 2: give up my slot (unlock its mutex, used = 0), count out
     * the dead (prune), and when nobody is left: mark the object gone
     * (a late joiner sees it and starts again) and shm_unlink the name,
     * checked.  Lesson 05, "The POSIX step". */
    pthread_mutex_unlock(&sh->lock);
    detach(sh, fd, &status);
    return status;
}
