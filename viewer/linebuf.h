/* linebuf.h — whole lines out of bytes that come in pieces: a trace file
 * read as programs append to it, a program's output through a pipe.
 *
 * A line is handed out once its newline has come (each trace event is one
 * write(2), but a read can still land between two), or at the end of the
 * input.  A line longer than LINEBUF_SIZE is cut into pieces (output to
 * show) or skipped whole (a trace line that long is no event).
 *
 *     size_t room;
 *     char *at = linebuf_space(&b, &room);
 *     ssize_t r = read(fd, at, room);
 *     if (r > 0) linebuf_added(&b, r);
 *     while ((line = linebuf_next(&b, &len, r == 0)) != NULL) ...
 */
#ifndef MMAPVIEW_LINEBUF_H
#define MMAPVIEW_LINEBUF_H

#include <stdbool.h>
#include <stddef.h>

#define LINEBUF_SIZE 4096

struct linebuf {
    char buf[LINEBUF_SIZE + 1];   /* +1: the NUL a handed-out line ends with */
    size_t start, len;            /* not handed out yet: buf[start, len) */
    bool cut;                     /* too long: true cut it, false skip it */
    bool skipping;                /* inside a line that is being skipped */
};

/* Empty; skip_first when reading starts inside a line (the rest of it is
 * skipped).  cut as above. */
void linebuf_reset(struct linebuf *b, bool cut, bool skip_first);

/* Where to read the next bytes to, and how many fit: at least one once
 * linebuf_next has returned NULL, which it must have before each read. */
char *linebuf_space(struct linebuf *b, size_t *room);
/* n bytes have been read there. */
void linebuf_added(struct linebuf *b, size_t n);

/* The next whole line, NUL-terminated, without its newline (or a CR before
 * it), its length in *len; NULL when none is complete.  at_end: the input
 * has ended, and a last line without a newline counts too. */
char *linebuf_next(struct linebuf *b, size_t *len, bool at_end);

#endif
