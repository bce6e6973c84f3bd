/* residency.h — which pages of the object are in memory (see residency.c).
 * A part of the model (model.c composes it): its own state is where its
 * budgeted pass stands; it reads the object through the descriptor the
 * object part keeps, and writes the snapshot's residency.
 */
#ifndef MMAPVIEW_RESIDENCY_H
#define MMAPVIEW_RESIDENCY_H

#include "model.h"

#include <sys/stat.h>

/* Per tick, at most this many pages are looked at for residency (mincore)
 * or this many for SEEK_DATA, which costs a system call per run; larger
 * objects are covered over several ticks (1 GiB in 8 s).  A full mincore
 * pass over 1 GiB takes about 20 ms: at every refresh that alone would be
 * 4% of a core. */
#define RES_BUDGET_MINCORE 16384
#define RES_BUDGET_SEEK    8192
/* A full pass (--once, the first sample) stops here all the same: 16 GiB
 * of mincore is about a third of a second; more is covered tick by tick. */
#define RES_FULL_MAX       (1u << 22)
/* Larger objects are not followed page by page: their arrays would take
 * more memory than the viewer should (11 bytes a page). */
#define MV_MAX_PAGES       MV_MAX_PAGES_SHOWN

struct res_part {
    size_t cursor;            /* where the next budgeted pass goes on */
    size_t done;              /* pages looked at since the size changed */
};

/* What a residency call works on: its own state, the snapshot it fills
 * (the object's size and kind are read from it), and the object's
 * descriptor (-1: none) with whether mincore tells this process the truth
 * about it. */
struct res_io {
    struct res_part *part;
    struct mv_snapshot *s;
    int fd;
    bool trusted;
};

/* The residency arrays sized for npages (new pages unknown). */
void res_resize(const struct res_io *m, size_t npages);
/* No object: no arrays, no source, the pass from the start. */
void res_forget(const struct res_io *m);
void res_sample(const struct res_io *m, bool full);
/* Where residency comes from for this object now. */
enum mv_res_source res_source(const struct res_io *m);
/* The state of pages [a, b) now, into out (MV_PAGE_*), by the current
 * source.  Returns 0, or -1 when it cannot be known. */
int res_range(const struct res_io *m, size_t a, size_t b, uint8_t *out);
/* SEEK_DATA/SEEK_HOLE over pages [a, b): MV_PAGE_IN where allocated. */
int res_allocated(const struct res_io *m, size_t a, size_t b, uint8_t *out);
/* Would mincore tell this process the truth about the object?  (See
 * residency.c.) */
bool res_trusted(int fd, const struct stat *st);

/* Pages of an object of size bytes. */
size_t mv_count_pages(off_t size, long page_size);
/* p resized from old to n entries of each bytes, the new ones zero (exits
 * when memory runs out). */
void *mv_grow(void *p, size_t n, size_t old, size_t each);

#endif
