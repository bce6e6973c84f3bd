/* lab.c — lab 01: the first process.   Handout: labs/01-first/README.md
 *
 * Create the named object, give it its size, map it shared, copy the
 * message into it (its NUL included), and hold: each line read on standard
 * input becomes the new message; end of input unmaps, closes and exits.
 * Leave the name in place: removing it is 05-close's step.
 *
 * Fill in each TODO.  Build and grade:   make grade LAB=01
 * Run by hand:   cc -std=c11 -Wall -Wextra -D_GNU_SOURCE -o first lab.c -lrt
 *                ./first /lab01-$USER "hello"      (Enter: a new message;
 *                                                    Ctrl-D: the end)
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
    char *p = NULL;
    int fd = -1;

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

    /* TODO 1: create the object NAME: a new one only (fail if the name is
     * taken), read-write, mode 0600.  Lesson 01, "The POSIX step". */

    /* TODO 2: give it its size, SIZE bytes.  Lesson 01. */

    /* TODO 3: map all of it, readable and writable, shared with every
     * other process that maps it.  Lesson 02, "The POSIX step". */

    /* TODO 4: copy the message into the view, its NUL included.
     * Lesson 03, "The POSIX step". */
    (void)len;

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
        /* TODO 5: the line is the new message: copy it into the view, so
         * that it replaces a longer one too.  Lesson 03, "Pitfalls". */
    }

    /* TODO 6: remove the view and close the descriptor, each call checked.
     * Not shm_unlink: the name outlives this program.  Lesson 05. */
    (void)p;
    (void)fd;
    return 0;
}
