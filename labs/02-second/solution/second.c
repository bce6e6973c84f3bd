/* second.c — lab 02, reference solution: the second process.
 *
 * Opens the object by its name alone (it must exist: this process never
 * creates one), learns its size with fstat, maps all of it shared, prints
 * the message (up to its NUL, or the object's end) and holds until end of
 * input, as the MessageBox of the Win32 original waits for OK.  Then it
 * unmaps and closes; the name stays.
 *
 * Run:  ./second /NAME     (NAME defaults to $MMAPLAB_NAME)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    const char *name = argc > 1 ? argv[1] : getenv("MMAPLAB_NAME");
    struct stat st;
    char line[256];
    size_t size, n;
    char *p;
    int fd;

    if (name == NULL || name[0] != '/') {
        fprintf(stderr, "usage: %s /NAME  (or set MMAPLAB_NAME=/NAME)\n", argv[0]);
        return 2;
    }

    fd = shm_open(name, O_RDONLY, 0);
    if (fd == -1) {
        fprintf(stderr, "%s: shm_open %s: %s (run the first process first)\n",
                argv[0], name, strerror(errno));
        return 1;
    }
    if (fstat(fd, &st) == -1) {
        fprintf(stderr, "%s: fstat: %s\n", argv[0], strerror(errno));
        return 1;
    }
    if (st.st_size == 0) {
        fprintf(stderr, "%s: %s is empty: the first process has not sized it\n", argv[0], name);
        return 1;
    }
    size = (size_t)st.st_size;
    p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        fprintf(stderr, "%s: mmap: %s\n", argv[0], strerror(errno));
        return 1;
    }

    n = strnlen(p, size);           /* no NUL: the message runs to the end */
    fwrite(p, 1, n, stdout);
    putchar('\n');
    fflush(stdout);                 /* seen now, not when the program ends */

    while (fgets(line, sizeof line, stdin) != NULL)
        ;                           /* the MessageBox: wait for OK */

    if (munmap(p, size) == -1) {
        fprintf(stderr, "%s: munmap: %s\n", argv[0], strerror(errno));
        return 1;
    }
    if (close(fd) == -1) {
        fprintf(stderr, "%s: close: %s\n", argv[0], strerror(errno));
        return 1;
    }
    return 0;
}
