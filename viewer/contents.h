/* contents.h — the object's bytes, read without bringing a page in: the
 * selected page, the changed-page hashes, a search (see contents.c).  A
 * part of the model (model.c composes it): its own state is its buffers,
 * the hashes and the selected page's last contents; it asks residency
 * which pages may be read.
 */
#ifndef MMAPVIEW_CONTENTS_H
#define MMAPVIEW_CONTENTS_H

#include "residency.h"

/* Per tick, at most this many bytes are read to spot changed pages. */
#define HASH_BUDGET_BYTES  (1u << 20)

struct contents_part {
    /* Change marks: a hash per page, valid where hashed[]. */
    size_t hash_cursor;
    uint64_t *hash;
    uint8_t *hashed;
    unsigned char *chunk;     /* a read buffer */
    size_t chunk_cap;
    /* The selected page's last contents, for marking changed bytes. */
    bool prev_valid;
    ino_t prev_ino;
    long long prev_index;
    unsigned char *prev;
};

/* What a contents call works on: its own state, residency's (the object,
 * the snapshot), whether there is swap (without it a tmpfs page not in
 * memory is a hole) and whether this is one sample only (no history). */
struct contents_io {
    struct contents_part *part;
    struct res_io res;
    bool swap;
    bool single;
};

/* The hash arrays sized for npages (old: their size before). */
void contents_resize(const struct contents_io *m, size_t old, size_t npages);
/* No object: nothing of it kept. */
void contents_forget(const struct contents_io *m);
void contents_free(struct contents_part *c);

void page_read(const struct contents_io *m);
void hash_sample(const struct contents_io *m);
/* How pages may be read without changing them: PAGE_READ (in memory),
 * PAGE_ZEROS (a tmpfs hole: zeros, nothing to read), PAGE_DONT (reading
 * would bring the page in).  Fills acc[0 .. b-a) from a fresh look. */
enum { PAGE_READ, PAGE_ZEROS, PAGE_DONT };
void page_plan(const struct contents_io *m, size_t a, size_t b, uint8_t *acc);
/* Why a PAGE_DONT page is not read, for people. */
const char *page_dont_why(const struct contents_io *m);
/* mv_model_search's work (see model.h). */
long long page_search(const struct contents_io *m, const unsigned char *needle,
                      size_t n, long long from, bool *wrapped);

uint64_t mv_hash(const unsigned char *p, size_t n);

#endif
