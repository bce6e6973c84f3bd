/* model_parts.h — what the model's files share: the model itself and the
 * functions each part gives the others.  Not for the view or the printers
 * (they use model.h); the unit tests use it to reach the parsers.
 */
#ifndef MMAPVIEW_MODEL_PARTS_H
#define MMAPVIEW_MODEL_PARTS_H

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
/* Per tick, at most this many bytes are read to spot changed pages. */
#define HASH_BUDGET_BYTES  (1u << 20)
/* A trace event for the object asks for a /proc scan, at most this often. */
#define TRACE_SCAN_GAP_MS  250

struct mv_model {
    struct mv_snapshot s;
    char shm_dir[256];
    bool single;

    /* The object followed. */
    int fd;                   /* read-only descriptor, or -1 */
    bool ever_tracked;
    bool want_slow;
    bool trusted;             /* mincore tells this process the truth */
    uid_t trusted_uid;        /* what trusted was computed for */
    mode_t trusted_mode;

    /* Residency and change marks. */
    size_t res_cursor;        /* where the next budgeted pass goes on */
    size_t res_done;          /* pages looked at since the size changed */
    size_t hash_cursor;
    uint64_t *hash;           /* per page, valid where hashed[] */
    uint8_t *hashed;
    unsigned char *chunk;     /* a read buffer */
    size_t chunk_cap;

    /* The selected page's last contents, for marking changed bytes. */
    bool prev_valid;
    ino_t prev_ino;
    long long prev_index;
    unsigned char *prev;

    /* Open /proc/PID/pagemap of the mappers, and /proc/kpagecount: the
     * frames are read every tick. */
    struct pm_fd { pid_t pid; int fd; } *pm;
    size_t npm;
    int kpc_fd;               /* -1: not open (yet, or it cannot be) */

    /* Is there swap?  Without it a tmpfs page not in memory is a hole. */
    bool swap;

    /* The trace tail, and when an event of it last asked for a scan. */
    struct tt_tail tail;
    double trace_scan_ms;
};

/* object.c */
int obj_resolve(struct mv_model *m, const struct mv_config *cfg, char *why,
                size_t whysz);
void obj_sample(struct mv_model *m);
/* After a /proc scan: let go of an object nobody else uses any more. */
void obj_after_scan(struct mv_model *m);
void obj_forget(struct mv_model *m);

/* residency.c */
void res_resize(struct mv_model *m, size_t npages);
void res_sample(struct mv_model *m, bool full);
/* Where residency comes from for this object now. */
enum mv_res_source res_source(const struct mv_model *m);
/* The state of pages [a, b) now, into out (MV_PAGE_*), by the current
 * source.  Returns 0, or -1 when it cannot be known. */
int res_range(struct mv_model *m, size_t a, size_t b, uint8_t *out);
/* Would mincore tell this process the truth about the object?  (See
 * residency.c.) */
bool res_trusted(int fd, const struct stat *st);
/* SEEK_DATA/SEEK_HOLE over pages [a, b): MV_PAGE_IN where allocated. */
int res_allocated(struct mv_model *m, size_t a, size_t b, uint8_t *out);

/* contents.c */
void page_read(struct mv_model *m);
void hash_sample(struct mv_model *m);
/* How pages may be read without changing them: PAGE_READ (in memory),
 * PAGE_ZEROS (a tmpfs hole: zeros, nothing to read), PAGE_DONT (reading
 * would bring the page in).  Fills acc[0 .. b-a) from a fresh look. */
enum { PAGE_READ, PAGE_ZEROS, PAGE_DONT };
void page_plan(struct mv_model *m, size_t a, size_t b, uint8_t *acc);
/* Why a PAGE_DONT page is not read, for people. */
const char *page_dont_why(const struct mv_model *m);

/* frames.c */
void frames_sample(struct mv_model *m);
/* After a scan: close what belongs to processes no longer mapping it. */
void frames_prune(struct mv_model *m);
void frames_close(struct mv_model *m);

/* Bytes of pages and hashes. */
uint64_t mv_hash(const unsigned char *p, size_t n);
size_t mv_count_pages(off_t size, long page_size);

#endif
