/* holder.c — the crowd for `make bench`: processes that map an object and
 * processes that do not, all waiting until they are killed.
 *
 *   holder NAME MAPPERS OTHERS
 *
 * Starts MAPPERS children that map all of the shared memory object NAME
 * (MAP_SHARED, read-only, touching nothing) and OTHERS children that only
 * wait; prints "ready" once all are started, then waits.  Killing its
 * process group ends them all.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    struct stat st;

    if (argc != 4) {
        fprintf(stderr, "usage: holder NAME MAPPERS OTHERS\n");
        return 2;
    }
    int mappers = atoi(argv[2]), others = atoi(argv[3]);
    int fd = shm_open(argv[1], O_RDONLY, 0);
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
