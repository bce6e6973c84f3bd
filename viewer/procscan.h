/* procscan.h — who maps the object or holds it open: the /proc scan.
 *
 * A part of the model (model.h) with no state of its own between scans:
 * it fills a struct mv_procs that the snapshot keeps.
 */
#ifndef MMAPVIEW_PROCSCAN_H
#define MMAPVIEW_PROCSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pages.h"

/* The frame behind the selected page, as one mapper sees it. */
enum mv_frame_state {
    MV_FRAME_OUTSIDE,         /* this mapping does not cover the page */
    MV_FRAME_ABSENT,          /* not in this process's page table (yet) */
    MV_FRAME_PRESENT,         /* pfn is real */
    MV_FRAME_HIDDEN,          /* present, but the kernel hides the pfn */
    MV_FRAME_SWAPPED,
    MV_FRAME_UNREADABLE,      /* pagemap could not be read */
};

/* A process that maps the object (one entry per mapping) or only holds a
 * descriptor to it (one entry, fd_only). */
struct mv_proc {
    pid_t pid;
    char comm[32];
    bool self;                /* this viewer: shown, never counted */
    bool viewer;              /* another mmapview: it lets go too */
    bool fd_only;
    int fd;                   /* a descriptor it holds, or -1 */
    int nfds;
    unsigned long start, end;
    char perms[5];
    unsigned long long offset;
    bool deleted;             /* maps says "(deleted)" */
    bool smaps_ok;
    struct ml_smaps sm;
    enum mv_frame_state frame_state;
    unsigned long vaddr;      /* of the selected page in this process */
    uint64_t pfn;
    bool exclusive;
    uint64_t mapcount;        /* from /proc/kpagecount; 0 unknown */
    int frame_group;          /* equal frames share a group: 0, 1, ... or -1 */
};

struct mv_procs {
    struct mv_proc *v;
    size_t n, cap;
    int hidden;               /* processes that could not be inspected */
    int scanned;              /* processes looked at */
    int mappers, holders;     /* distinct other processes (self not counted) */
    bool valid;               /* a scan has run for this object */
};

const char *mv_frame_word(enum mv_frame_state f);

/* Call fn for each maps line in buf[0..n) that maps dev:ino (or, when the
 * device numbers differ, as on some stacked file systems, ino at path). */
typedef void (*ps_maps_fn)(const struct ml_maps_line *l, void *ctx);
int ps_maps_match(const char *buf, size_t n, dev_t dev, ino_t ino,
                  const char *path, ps_maps_fn fn, void *ctx);
/* Fill the smaps sizes of procs' mappings of pid from an smaps text. */
void ps_smaps_fill(const char *buf, size_t n, pid_t pid, struct mv_procs *p);
/* Scan proc_root (/proc) for the mappers and holders of dev:ino. */
void ps_scan(const char *proc_root, dev_t dev, ino_t ino, const char *path,
             pid_t self, struct mv_procs *out);
/* The same in two halves: ps_begin starts helpers threads on it at once;
 * ps_end makes the caller work on what is left, waits, and puts the result
 * in out.  Returns the milliseconds from begin to end. */
struct ps_job;
struct ps_job *ps_begin(const char *proc_root, dev_t dev, ino_t ino,
                        const char *path, pid_t self, int helpers);
double ps_end(struct ps_job *j, struct mv_procs *out);
/* Threads worth starting besides the caller: one less than the cores. */
int ps_helpers(void);
void ps_free(struct mv_procs *p);
bool ps_is_viewer(const char *comm);

#endif
