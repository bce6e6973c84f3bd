/* linebuf.c — whole lines out of bytes that come in pieces; see linebuf.h. */
#include "linebuf.h"

#include <string.h>

void linebuf_reset(struct linebuf *b, bool cut, bool skip_first)
{
    b->start = b->len = 0;
    b->cut = cut;
    b->skipping = skip_first;
}

char *linebuf_space(struct linebuf *b, size_t *room)
{
    if (b->start > 0) {         /* what is left to the front: room for more */
        memmove(b->buf, b->buf + b->start, b->len - b->start);
        b->len -= b->start;
        b->start = 0;
    }
    *room = LINEBUF_SIZE - b->len;
    return b->buf + b->len;
}

void linebuf_added(struct linebuf *b, size_t n)
{
    b->len += n;
}

char *linebuf_next(struct linebuf *b, size_t *len, bool at_end)
{
    while (b->start < b->len) {
        char *p = b->buf + b->start;
        size_t have = b->len - b->start;
        char *nl = memchr(p, '\n', have);
        size_t n = nl ? (size_t)(nl - p) : have;
        bool whole = nl != NULL || at_end;

        if (!whole && have < LINEBUF_SIZE)
            return NULL;                /* its newline has not come yet */
        b->start += nl ? n + 1 : n;
        if (b->skipping || (!whole && !b->cut)) {
            b->skipping = !whole;       /* too long: skip to its newline */
            continue;
        }
        if (n > 0 && p[n - 1] == '\r')
            n--;
        p[n] = '\0';
        *len = n;
        return p;
    }
    return NULL;
}
