/* textfit.c — text into rows: words kept whole, marks where text is
 * shortened or a word is split (see textfit.h).
 */
#include "textfit.h"

#include <string.h>
#include <wchar.h>

size_t tf_fit(const char *s, int width, bool utf8, int *cols)
{
    mbstate_t st;
    size_t i = 0, n = strlen(s);
    int c = 0;

    memset(&st, 0, sizeof st);
    while (i < n) {
        int cw = 1;
        size_t len = 1;
        if (utf8 && (unsigned char)s[i] >= 0x80) {
            wchar_t wc;
            len = mbrtowc(&wc, s + i, n - i, &st);
            if (len == (size_t)-1 || len == (size_t)-2 || len == 0) {
                memset(&st, 0, sizeof st);
                len = 1;
            } else {
                cw = wcwidth(wc);
                if (cw < 0)
                    cw = 1;
            }
        }
        if (c + cw > width)
            break;
        c += cw;
        i += len;
    }
    *cols = c;
    return i;
}

/* The end of the last word that ends within s[0..n): a space or the end of
 * s follows it.  0 when there is none. */
static size_t word_end(const char *s, size_t n)
{
    size_t b = n;
    if (s[n] == ' ' || s[n] == '\0') {
        while (b > 0 && s[b - 1] == ' ')
            b--;
        return b;
    }
    while (b > 0 && s[b] != ' ')
        b--;
    while (b > 0 && s[b - 1] == ' ')
        b--;
    return b;
}

size_t tf_cut(const char *s, int width, bool utf8, bool *cut)
{
    int cols;
    size_t n = tf_fit(s, width, utf8, &cols);

    *cut = s[n] != '\0';
    if (!*cut || width < 2)
        return n;
    n = tf_fit(s, width - 1, utf8, &cols);
    size_t w = word_end(s, n);
    return w > 0 ? w : n;
}

size_t tf_row(const char *s, int width, bool utf8, size_t *skip, bool *split)
{
    int cols;
    size_t n = tf_fit(s, width, utf8, &cols);

    *skip = 0;
    *split = false;
    if (s[n] == '\0' || width < 2) {
        if (n == 0 && s[0] != '\0')
            n = 1;                 /* a character wider than the row */
        return n;
    }
    size_t w = word_end(s, n);
    if (w == 0) {
        *split = true;
        n = tf_fit(s, width - 1, utf8, &cols);
        return n > 0 ? n : 1;
    }
    while (s[w + *skip] == ' ')
        (*skip)++;
    return w;
}

int tf_rows(const char *s, int width, bool utf8)
{
    int n = 0;
    size_t skip;
    bool split;

    do {
        s += tf_row(s, width, utf8, &skip, &split);
        s += skip;
        n++;
    } while (*s);
    return n;
}
