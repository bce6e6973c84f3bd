/* textfit.h — how text goes into rows of a given width, for the panels and
 * the tour's panes: a row that is shortened ends at a word, with a mark
 * ("…"); text that wraps breaks between words; a single word longer than
 * the row is split, its row ending with a continuation mark.  Plain C, no
 * terminal: the unit tests use it as it is.
 */
#ifndef MMAPVIEW_TEXTFIT_H
#define MMAPVIEW_TEXTFIT_H

#include <stdbool.h>
#include <stddef.h>

/* The marks, and the columns each takes. */
#define TF_MORE_UTF8  "\u2026"    /* shortened: there is more */
#define TF_MORE_ASCII ">"
#define TF_SPLIT_UTF8 "\u21a9"    /* a word split: it goes on below */
#define TF_SPLIT_ASCII "\\"

/* How many bytes of s fit in width columns (UTF-8 by its widths when
 * utf8, else a byte a column); *cols gets the columns they take. */
size_t tf_fit(const char *s, int width, bool utf8, int *cols);

/* A row of s that must be shortened to width columns, the mark included:
 * the bytes to keep before the mark, up to the end of the last word that
 * fits (the spaces before it dropped), or, when not even one word fits,
 * as many as fit.  0 when s fits whole: no mark. */
size_t tf_cut(const char *s, int width, bool utf8, bool *cut);

/* The next row of s wrapped at width columns: the bytes it holds, *skip
 * the spaces after it (not shown), and *split when a word longer than the
 * row was split: the row holds width-1 columns and then the split mark. */
size_t tf_row(const char *s, int width, bool utf8, size_t *skip, bool *split);

/* The rows s takes wrapped at width. */
int tf_rows(const char *s, int width, bool utf8);

#endif
