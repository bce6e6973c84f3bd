/* holder.c — the object and the crowd for `make bench`.
 *
 *   holder fill NAME          write one byte on every other page of the
 *                             shared memory object NAME, then exit: half
 *                             its pages resident, half holes
 *   holder crowd NAME M O     start M children that map all of NAME
 *                             (MAP_SHARED, read-only, touching nothing) and
 *                             O children that only wait; print "ready" once
 *                             all are started, then wait.  Killing the
 *                             process group ends them all.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int usage(void)
{
    fprintf(stderr, "usage: holder fill NAME | holder crowd NAME MAPPERS OTHERS\n");
    return 2;
}

static int fill(const char *name)
{
    struct stat st;
    long psz = sysconf(_SC_PAGESIZE);
    int fd = shm_open(name, O_RDWR, 0);

    if (fd == -1 || fstat(fd, &st) == -1) {
        perror("holder: shm_open");
        return 1;
    }
    char *p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        perror("holder: mmap");
        return 1;
    }
    for (off_t off = 0; off < st.st_size; off += 2 * psz)
        p[off] = 1;
    return 0;
}

static int crowd(const char *name, int mappers, int others)
{
    struct stat st;
    int fd = shm_open(name, O_RDONLY, 0);

    if (fd == -1 || fstat(fd, &st) == -1) {
        perror("holder: shm_open");
        return 1;
    }
    for (int i = 0; i < mappers + others; i++) {
        pid_t pid = fork();
        if (pid == -1) {
            perror("holder: fork");
            return 1;
        }
        if (pid == 0) {
            if (i < mappers &&
                mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED) {
                perror("holder: mmap");
                _exit(1);
            }
            close(fd);
            for (;;)
                pause();
        }
    }
    close(fd);
    printf("ready\n");
    fflush(stdout);
    for (;;)
        pause();
}

int main(int argc, char *argv[])
{
    if (argc == 3 && strcmp(argv[1], "fill") == 0)
        return fill(argv[2]);
    if (argc == 5 && strcmp(argv[1], "crowd") == 0)
        return crowd(argv[2], atoi(argv[3]), atoi(argv[4]));
    return usage();
}
