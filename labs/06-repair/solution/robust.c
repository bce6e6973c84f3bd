/* robust.c — lab 06, reference solution: repair after a killed lock holder.
 *
 *   ./robust /NAME init      create the object: the record and a robust,
 *                            process-shared mutex
 *   ./robust /NAME add N     N times: lock, a += 1 and b -= 1, unlock
 *
 * The record's rule: a + b == 0 whenever the lock is free.  A process
 * killed between its two stores leaves it broken and the mutex owned by a
 * dead process: the next locker gets EOWNERDEAD, repairs the record, and
 * calls pthread_mutex_consistent before it unlocks.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct shared {
    int64_t a;                  /* increments done */
    int64_t b;                  /* -a whenever the lock is free */
    pthread_mutex_t lock;       /* robust, process-shared */
};

static int init(const char *name)
{
    pthread_mutexattr_t attr;
    struct shared *sh;
    int fd, r;

    fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
    if (fd == -1) {
        fprintf(stderr, "shm_open %s: %s\n", name, strerror(errno));
        return 1;
    }
    if (ftruncate(fd, sizeof *sh) == -1) {
        fprintf(stderr, "ftruncate: %s\n", strerror(errno));
        shm_unlink(name);
        return 1;
    }
    sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (sh == MAP_FAILED) {
        fprintf(stderr, "mmap: %s\n", strerror(errno));
        shm_unlink(name);
        return 1;
    }
    sh->a = 0;
    sh->b = 0;
    if ((r = pthread_mutexattr_init(&attr)) != 0 ||
        (r = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED)) != 0 ||
        (r = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST)) != 0 ||
        (r = pthread_mutex_init(&sh->lock, &attr)) != 0) {
        fprintf(stderr, "the mutex: %s\n", strerror(r));
        shm_unlink(name);
        return 1;
    }
    pthread_mutexattr_destroy(&attr);
    if (munmap(sh, sizeof *sh) == -1 || close(fd) == -1) {
        fprintf(stderr, "munmap or close: %s\n", strerror(errno));
        return 1;
    }
    return 0;
}

static int add(const char *name, long n)
{
    struct shared *sh;
    int fd, r;

    fd = shm_open(name, O_RDWR, 0);
    if (fd == -1) {
        fprintf(stderr, "shm_open %s: %s (run init first)\n", name, strerror(errno));
        return 1;
    }
    sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (sh == MAP_FAILED) {
        fprintf(stderr, "mmap: %s\n", strerror(errno));
        return 1;
    }
    for (long i = 0; i < n; i++) {
        r = pthread_mutex_lock(&sh->lock);
        if (r == EOWNERDEAD) {
            /* Its holder died between its stores: a counts, b follows. */
            fprintf(stderr, "the lock's holder died: record a=%lld b=%lld repaired\n",
                    (long long)sh->a, (long long)sh->b);
            sh->b = -sh->a;
            r = pthread_mutex_consistent(&sh->lock);
            if (r != 0) {
                fprintf(stderr, "pthread_mutex_consistent: %s\n", strerror(r));
                return 1;
            }
        } else if (r != 0) {
            fprintf(stderr, "pthread_mutex_lock: %s\n", strerror(r));
            return 1;
        }
        sh->a += 1;
        sh->b -= 1;
        r = pthread_mutex_unlock(&sh->lock);
        if (r != 0) {
            fprintf(stderr, "pthread_mutex_unlock: %s\n", strerror(r));
            return 1;
        }
    }
    if (munmap(sh, sizeof *sh) == -1) {
        fprintf(stderr, "munmap: %s\n", strerror(errno));
        return 1;
    }
    if (close(fd) == -1) {
        fprintf(stderr, "close: %s\n", strerror(errno));
        return 1;
    }
    return 0;
}

int main(int argc, char *argv[])
{
    if (argc == 3 && strcmp(argv[2], "init") == 0)
        return init(argv[1]);
    if (argc == 4 && strcmp(argv[2], "add") == 0)
        return add(argv[1], strtol(argv[3], NULL, 10));
    fprintf(stderr, "usage: %s /NAME init | %s /NAME add N\n", argv[0], argv[0]);
    return 2;
}
