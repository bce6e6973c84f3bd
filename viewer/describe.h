/* describe.h — the words and lines that the screen and the --once text
 * both show, made once from a snapshot so that they always agree.
 */
#ifndef MMAPVIEW_DESCRIBE_H
#define MMAPVIEW_DESCRIBE_H

#include "model.h"

#define DESC_LINE 800

/* Text from outside made safe to show: UTF-8 passes, control characters
 * (C0, DEL, C1) and bytes that are not UTF-8 become '?'.  Returns out. */
char *describe_clean(char *out, size_t n, const char *in);

/* The object panel: up to max lines of "label   text".  Returns the count.
 * The state word is the first word after "state" (the view colours it). */
int describe_object(const struct mv_snapshot *s, char out[][DESC_LINE], int max);

/* One sentence on what the state means for a student. */
const char *describe_state(const struct mv_snapshot *s);

/* A cell of the page map: pages [a, b). */
enum cell_kind { CELL_NONE, CELL_PART, CELL_FULL, CELL_UNKNOWN };
struct cell {
    enum cell_kind kind;
    bool changed;             /* a page in it changed since the last look */
};
struct cell describe_cell(const struct mv_residency *r, size_t a, size_t b);

/* "resident" or "allocated": what a page in the map being in means. */
const char *describe_in_word(const struct mv_residency *r);
/* Why residency is unknown (source MV_RES_UNKNOWN): too many pages, no
 * descriptor to ask with, or a kernel that would not tell this user. */
const char *describe_unknown(const struct mv_snapshot *s);

/* The hex rows of the selected page, after squeezing: a run of rows equal
 * to the one before becomes one row with squeezed set.  Returns the count. */
struct hex_row {
    size_t off;               /* within the page */
    size_t len;               /* bytes of the object in the row (<= 16) */
    bool squeezed;            /* this stands for rows equal to the one above */
};
size_t describe_hex_rows(const struct mv_page *pg, struct hex_row *out,
                         size_t max);
/* The same, into an array it allocates (free it); NULL when out of memory. */
struct hex_row *describe_hex_rows_new(const struct mv_page *pg, long page_size,
                                      size_t *n);

/* Which of the 4 classes a byte is in: NUL, printable, white space, other. */
enum byte_class { BYTE_NUL, BYTE_PRINT, BYTE_SPACE, BYTE_OTHER };
enum byte_class describe_byte(unsigned char c);

/* The process table: its header, and one line per entry. */
extern const char describe_proc_header[];
/* What the columns of describe_proc_header mean, for the text output. */
extern const char describe_proc_legend[];
void describe_proc(const struct mv_proc *p, char *out, size_t n);

/* The frame of the selected page as one mapper sees it ("0x1a2b3c  A  2
 * maps", "hidden (needs CAP_SYS_ADMIN), present, shared"), and a sentence
 * on all of them. */
void describe_frame(const struct mv_proc *p, char *out, size_t n);
void describe_frames_summary(const struct mv_snapshot *s, char *out, size_t n);
/* The letter of a frame group: A, B, ... */
char describe_group(int group);

/* A trace event: "12:01:02.345  4242 03-copy  call copy memcpy(...) = 0x..." */
void describe_event(const struct mv_event *e, char *out, size_t n);

/* The processes line of counts: "2 map it, 1 holds it open, 0 hidden". */
void describe_proc_counts(const struct mv_snapshot *s, char *out, size_t n);

#endif
