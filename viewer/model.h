/* model.h — what mmapview samples, with no terminal in sight.
 *
 * The model follows one object (a shared memory name or a file path) and
 * keeps a snapshot of it: the object itself, which of its pages are in
 * memory, the selected page's bytes, the processes that map it or hold it
 * open with the physical frame each sees, and the tail of the trace.  The
 * view (view.h), the text and JSON printers (print.h) and the guided tour
 * all draw from that snapshot.
 *
 * Sampling never writes to the object, reads only pages in memory and
 * brings nothing else in (see contents.c for how), and never keeps an
 * unlinked object alive (see model.c).
 */
#ifndef MMAPVIEW_MODEL_H
#define MMAPVIEW_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "clock.h"
#include "pages.h"
#include "procscan.h"
#include "tracetail.h"

enum mv_kind { MV_SHM, MV_FILE };

enum mv_state {
    MV_WAITING,     /* no such name (yet) */
    MV_LIVE,        /* the name leads to the object followed */
    MV_UNLINKED,    /* the name is gone; other processes still use the object */
    MV_REPLACED,    /* the name leads to another object; the old one is in use */
    MV_FREED,       /* the name is gone and nobody used it: let go */
};

enum mv_res_source {
    MV_RES_NONE,      /* no object to look at */
    MV_RES_MINCORE,   /* resident in memory, from mincore */
    MV_RES_SEEK_DATA, /* allocated (swapped pages too), from SEEK_DATA on tmpfs */
    MV_RES_UNKNOWN,   /* the kernel would not say truthfully (see residency.c) */
};

/* Objects with more pages are not followed page by page (64 GiB of 4 KiB
 * pages): their residency is "unknown", and says why. */
#define MV_MAX_PAGES_SHOWN (1u << 24)

/* One entry per page of the residency map. */
enum { MV_PAGE_OUT = 0, MV_PAGE_IN = 1, MV_PAGE_UNKNOWN = 2 };

struct mv_object {
    bool tracked;             /* the model has an object (dev:ino below) */
    bool readable;            /* and a descriptor to read it with */
    dev_t dev;
    ino_t ino;
    nlink_t nlink;
    uid_t uid;
    gid_t gid;
    mode_t mode;
    off_t size;
    size_t pages;
    bool on_tmpfs;
    char fs[32];              /* "tmpfs", "ext4", ... */
    ino_t name_ino;           /* replaced: the inode the name leads to now */
    char note[256];           /* why something cannot be shown, or "" */
};

struct mv_residency {
    enum mv_res_source source;
    size_t count;             /* pages in (resident, or allocated) */
    size_t known;             /* pages whose state is known */
    size_t npages;
    uint8_t *map;             /* npages entries, MV_PAGE_* */
    uint8_t *changed;         /* npages flags: contents changed since last look */
    size_t nchanged;
    bool complete;            /* every page looked at since the size changed */
    bool lie_seen;            /* mincore was caught reporting holes resident */
    bool too_large;           /* too many pages to follow one by one */
};

/* The selected page. */
struct mv_page {
    long long index;          /* -1: the object has no pages */
    off_t offset;
    size_t len;               /* bytes of the object in this page */
    bool valid;               /* bytes[] holds the page's contents */
    bool hole;                /* no page allocated: the contents are zeros */
    unsigned char *bytes;     /* page_size bytes */
    unsigned char *changed;   /* page_size flags: differs from the last read */
    size_t nchanged;
    char note[160];           /* why the contents are not shown, or "" */
};

struct mv_snapshot {
    char target[4096];        /* as given */
    char path[4096];          /* /dev/shm/NAME, or the file's path */
    enum mv_kind kind;
    enum mv_state state;
    long page_size;
    pid_t self;
    bool frames_visible;      /* CAP_SYS_ADMIN: real frame numbers */
    struct mv_object obj;
    struct mv_residency res;
    struct mv_page page;
    struct mv_procs procs;
    struct mv_trace trace;
    unsigned long long fast_samples, slow_samples;
    double fast_ms, slow_ms;  /* how long the last of each took */
    long long sampled_ns;     /* CLOCK_REALTIME of the last fast sample */
};

struct mv_config {
    const char *target;       /* NULL: $MMAPLAB_NAME, else the default name */
    bool force_file;          /* --file */
    const char *trace;        /* --trace: NULL to look at $MMAPLAB_TRACE */
    long long page;           /* initially selected page */
    const char *shm_dir;      /* NULL: /dev/shm */
    bool single;              /* one sample only (--once): no change history */
};

/* Sampling tiers.  FAST: the object, residency, the selected page, frames,
 * the trace.  SLOW: the /proc scan of mappers and holders and their smaps.
 * FULL: no budget, look at every page now (--once, and the first sample). */
enum { MV_FAST = 1, MV_SLOW = 2, MV_FULL = 4 };

struct mv_model;

/* A model for cfg (copied).  Returns NULL with a reason in why when the
 * target is not one (a bad shared memory name). */
struct mv_model *mv_model_new(const struct mv_config *cfg, char *why,
                              size_t whysz);
void mv_model_free(struct mv_model *m);

/* Take a sample of the given tiers.  MV_SLOW is added by itself when the
 * object changed identity (appeared, unlinked, replaced) or the trace says a
 * program did something to it, so that the state word is never stale. */
void mv_model_sample(struct mv_model *m, unsigned tiers);

/* Select another page: its contents and frames are read now (a window,
 * not a sample).  The index is clamped to the object. */
void mv_model_select(struct mv_model *m, long long page);

/* Find needle from byte offset from onwards (wrapping once to the start).
 * Reads only pages that reading cannot change.  Returns the offset of the
 * match, or -1; *wrapped tells whether the search went past the end. */
long long mv_model_search(struct mv_model *m, const unsigned char *needle,
                          size_t n, long long from, bool *wrapped);

const struct mv_snapshot *mv_model_snapshot(const struct mv_model *m);

/* Words for people and for --json. */
const char *mv_state_word(enum mv_state s);
const char *mv_kind_word(enum mv_kind k);
const char *mv_source_word(enum mv_res_source s);

#endif
