/* faultcost.h — measuring what touching pages costs, for 13-page-faults:
 * minor faults (getrusage) and time around one phase, the touching loops,
 * and the table that puts the phases side by side.
 */
#ifndef MMAPLAB_FAULTCOST_H
#define MMAPLAB_FAULTCOST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

/* The phases, in the order of the table. */
enum { FC_FIRST, FC_SECOND, FC_READ, FC_POPULATE, FC_MADVISE, FC_HUGE, FC_ROWS };

struct fc_row {
    const char *what;        /* NULL: the phase never ran */
    long pages;              /* pages the phase covered */
    long faults;             /* minor faults of the phase (of its call, for populate) */
    double ms;               /* its time */
    bool after;              /* populate: the touch after the call was measured */
    long after_faults;       /* ... its faults */
    double after_ms;
    char why[200];           /* skipped: the reason */
};

struct fc_mark {
    long minor;
    struct timespec t;
};

/* The page size. */
size_t fc_page(void);

/* The size a phase touches: bytes rounded up to whole pages, at least one
 * page and within /dev/shm's free room; otherwise a usage error (exit 2)
 * that says the rule. */
size_t fc_check_size(off_t bytes);

/* Start measuring; end: the faults and time since, into row (what: the
 * phase, for its line); show: say them (a result: under -q too). */
void fc_begin(struct fc_mark *m);
void fc_end(const struct fc_mark *m, struct fc_row *row, size_t n, const char *what);
void fc_show(const struct fc_row *row);

/* Store into (an atomic OR with 0: a write fault, no byte changed) / read
 * one byte of every page of [p, p + n).  A SIGBUS (/dev/shm full) is
 * explained and ends the program. */
void fc_write_each(char *p, size_t n);
void fc_read_each(const char *p, size_t n);

/* After a populating call: store into every page again, measured into
 * row's after_ fields, and say how many faults that took. */
void fc_touch_after(char *p, size_t n, struct fc_row *row);

/* ftruncate fd to 0 and back to n, narrated: its pages are freed. */
void fc_refresh(int fd, size_t n);

/* The phase was skipped: why (said now, and in the table). */
void fc_skip(struct fc_row *row, const char *why);

/* The table of the phases, and what each row means as measured. */
void fc_table(const struct fc_row *rows, int nrows);

#endif
