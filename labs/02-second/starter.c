/* lab.c — lab 02: the second process.   Handout: labs/02-second/README.md
 *
 * Open the object by its name alone (never create one), learn its size,
 * map all of it shared, print the message (up to its NUL, or the object's
 * end) and hold until end of input.  Then unmap and close; the name stays.
 *
 * Fill in each TODO.  Build and grade:   make grade LAB=02
 * Run by hand, while bin/03-copy -n /NAME holds in another terminal:
 *     cc -std=c11 -Wall -Wextra -D_GNU_SOURCE -o second lab.c -lrt
 *     ./second /NAME
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
    size_t size = 0, n = 0;
    char *p = NULL;
    int fd = -1;

    if (name == NULL || name[0] != '/') {
        fprintf(stderr, "usage: %s /NAME  (or set MMAPLAB_NAME=/NAME)\n", argv[0]);
        return 2;
    }

    /* TODO 1: open the object NAME, read-only, without creating it; on
     * failure say why on stderr and exit 1.  Lesson 04, "The POSIX step". */

    /* TODO 2: its size: fstat.  An empty object is an error too.
     * Lesson 04, "The POSIX step". */
    (void)st;

    /* TODO 3: map all of it (st.st_size bytes), readable, shared.
     * Lesson 02, "The POSIX step". */

    /* TODO 4: n = the message's length: up to its NUL, never past the
     * object's end (strnlen), as demos/04-open.c reads.  Lesson 04. */

    if (p != NULL)
        fwrite(p, 1, n, stdout);
    putchar('\n');
    fflush(stdout);                 /* seen now, not when the program ends */

    while (fgets(line, sizeof line, stdin) != NULL)
        ;                           /* the MessageBox: wait for OK */

    /* TODO 5: remove the view and close the descriptor, each call
     * checked.  Not shm_unlink: the first process's name stays.  Lesson 05. */
    (void)size;
    (void)fd;
    return 0;
}
