/* first.c — lab 01, reference solution: the first process.
 *
 * Creates the named object, gives it its size, maps it shared, copies the
 * message into it with its NUL, and holds: each line read then becomes the
 * new message, and end of input unmaps, closes and exits.  The name stays:
 * removing it is the last step of the walkthrough (05-close), not this
 * program's.
 *
 * Run:  ./first /NAME "a message"     (NAME defaults to $MMAPLAB_NAME)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define SIZE 256                /* BUF_SIZE of the Win32 walkthrough */

int main(int argc, char *argv[])
{
    const char *name = argc > 1 ? argv[1] : getenv("MMAPLAB_NAME");
    const char *msg = argc > 2 ? argv[2] : "Message from first process.";
    char line[SIZE + 2];
    size_t len;
    char *p;
    int fd;

    if (name == NULL || name[0] != '/') {
        fprintf(stderr, "usage: %s /NAME [MESSAGE]  (or set MMAPLAB_NAME=/NAME)\n", argv[0]);
        return 2;
    }
    len = strlen(msg) + 1;
    if (len > SIZE) {
        fprintf(stderr, "%s: the message is %zu bytes with its NUL; the object holds %d\n",
                argv[0], len, SIZE);
        return 2;
    }

    fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
    if (fd == -1) {
        fprintf(stderr, "%s: shm_open %s: %s\n", argv[0], name, strerror(errno));
        return 1;
    }
    if (ftruncate(fd, SIZE) == -1) {
        fprintf(stderr, "%s: ftruncate: %s\n", argv[0], strerror(errno));
        shm_unlink(name);       /* nothing half-made is left behind */
        return 1;
    }
    p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        fprintf(stderr, "%s: mmap: %s\n", argv[0], strerror(errno));
        shm_unlink(name);
        return 1;
    }
    memcpy(p, msg, len);

    /* The hold: a second process reads the message meanwhile. */
    while (fgets(line, sizeof line, stdin) != NULL) {
        size_t n = strcspn(line, "\n");

        if ((line[n] != '\n' && !feof(stdin)) || n >= SIZE) {
            int c;

            while (line[n] != '\n' && (c = getchar()) != EOF && c != '\n')
                ;
            fprintf(stderr, "%s: a message holds at most %d bytes; line ignored\n",
                    argv[0], SIZE - 1);
            continue;
        }
        line[n] = '\0';
        memcpy(p, line, n + 1);     /* the NUL ends it over a longer one */
    }

    if (munmap(p, SIZE) == -1) {
        fprintf(stderr, "%s: munmap: %s\n", argv[0], strerror(errno));
        return 1;
    }
    if (close(fd) == -1) {
        fprintf(stderr, "%s: close: %s\n", argv[0], strerror(errno));
        return 1;
    }
    return 0;
}
