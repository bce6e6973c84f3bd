/* peer.c — the grader's side of lab 06: another process on the same
 * object, written apart from any student's code.
 *
 *   peer size            sizeof the shared struct
 *   peer init /NAME      make the object, a robust process-shared mutex
 *   peer hold /NAME      lock, say "held", wait for a line, unlock
 *   peer die /NAME       a child locks, a += 1 (half an update), and is
 *                        killed by SIGKILL
 * NAME may also be a /proc/PID/fd/N path of a descriptor the grader holds.
 *   peer probe /NAME     try the lock for 2 s: prints 0, EOWNERDEAD,
 *                        ENOTRECOVERABLE or ETIMEDOUT; never repairs
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct shared {
    int64_t a;
    int64_t b;
    pthread_mutex_t lock;
};

static struct shared *map(const char *name, int flags)
{
    struct shared *sh;
    /* A path under /proc: a descriptor the grader keeps, which reaches
     * the object even after a program removed its name. */
    int fd = strncmp(name, "/proc/", 6) == 0 ? open(name, flags & O_RDWR)
                                             : shm_open(name, flags, 0600);

    if (fd == -1) {
        fprintf(stderr, "peer: shm_open %s: %s\n", name, strerror(errno));
        return NULL;
    }
    if ((flags & O_CREAT) && ftruncate(fd, sizeof *sh) == -1) {
        fprintf(stderr, "peer: ftruncate: %s\n", strerror(errno));
        return NULL;
    }
    sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (sh == MAP_FAILED) {
        fprintf(stderr, "peer: mmap: %s\n", strerror(errno));
        return NULL;
    }
    return sh;
}

int main(int argc, char *argv[])
{
    struct shared *sh;
    pthread_mutexattr_t attr;
    struct timespec until;
    char line[16];
    int r;

    if (argc == 2 && strcmp(argv[1], "size") == 0) {
        printf("%zu\n", sizeof(struct shared));
        return 0;
    }
    if (argc != 3)
        return 2;
    if (strcmp(argv[1], "init") == 0) {
        if ((sh = map(argv[2], O_CREAT | O_EXCL | O_RDWR)) == NULL)
            return 1;
        pthread_mutexattr_init(&attr);
        pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
        pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
        return pthread_mutex_init(&sh->lock, &attr) != 0;
    }
    if ((sh = map(argv[2], O_RDWR)) == NULL)
        return 1;
    if (strcmp(argv[1], "hold") == 0) {
        if (pthread_mutex_lock(&sh->lock) != 0)
            return 1;
        printf("held\n");
        fflush(stdout);
        if (fgets(line, sizeof line, stdin) == NULL)
            line[0] = '\0';
        return pthread_mutex_unlock(&sh->lock) != 0;
    }
    if (strcmp(argv[1], "die") == 0) {
        pid_t child = fork();
        int status;

        if (child == -1)
            return 1;
        if (child == 0) {           /* the holder that dies mid-update */
            if (pthread_mutex_lock(&sh->lock) != 0)
                _exit(1);
            sh->a += 1;
            raise(SIGKILL);
            _exit(1);
        }
        if (waitpid(child, &status, 0) == -1)
            return 1;
        return !(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    }
    if (strcmp(argv[1], "probe") == 0) {
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 2;
        r = pthread_mutex_timedlock(&sh->lock, &until);
        printf("%s\n", r == 0 ? "0" : r == EOWNERDEAD ? "EOWNERDEAD" :
               r == ENOTRECOVERABLE ? "ENOTRECOVERABLE" : r == ETIMEDOUT ? "ETIMEDOUT" : strerror(r));
        if (r == 0)
            pthread_mutex_unlock(&sh->lock);
        return 0;
    }
    return 2;
}
