/* seekmap.c — an object's allocation as seen from outside the viewer, for
 * tests/viewer: its st_blocks and its data runs by SEEK_DATA/SEEK_HOLE.
 *
 *   seekmap FILE    prints "blocks N data A-B,C-D" (byte ranges), exit 0,
 *                   or the error on stderr, exit 1
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    struct stat st;

    if (argc != 2) {
        fprintf(stderr, "usage: seekmap FILE\n");
        return 2;
    }
    int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
    if (fd == -1 || fstat(fd, &st) == -1) {
        fprintf(stderr, "seekmap: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    printf("blocks %lld data ", (long long)st.st_blocks);
    off_t off = 0;
    const char *sep = "";
    while (off < st.st_size) {
        off_t d = lseek(fd, off, SEEK_DATA);
        if (d == -1)
            break;                      /* ENXIO: only holes remain */
        off_t h = lseek(fd, d, SEEK_HOLE);
        if (h == -1)
            h = st.st_size;
        printf("%s%lld-%lld", sep, (long long)d, (long long)h);
        sep = ",";
        off = h;
    }
    printf("\n");
    close(fd);
    return 0;
}
