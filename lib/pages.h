/* pages.h — looking at pages from outside the code that touches them:
 * /proc/PID/maps and smaps lines, /proc/PID/pagemap entries, and
 * /proc/kpagecount.  Used by the programs that show frames and Rss, and by
 * the viewer's model.  Nothing here maps, reads or faults the pages looked at.
 */
#ifndef MMAPLAB_PAGES_H
#define MMAPLAB_PAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One line of /proc/PID/maps (also the header line of an smaps block). */
struct ml_maps_line {
    unsigned long start, end;
    char perms[5];             /* "rw-s" */
    unsigned long long offset;
    unsigned dev_major, dev_minor;
    unsigned long long ino;
    char path[4096];           /* may hold spaces; "" for anonymous */
    bool deleted;              /* the path ended in " (deleted)", now cut */
};

/* Parse a maps line (with or without its newline).  Returns 0, or -1 when it
 * is not one. */
int ml_maps_parse(const char *line, struct ml_maps_line *m);

/* The mappings of a process one at a time, asked of the kernel instead of
 * parsed from /proc/PID/maps text (the PROCMAP_QUERY ioctl, Linux 6.11 and
 * later), which costs far less when only a few are wanted.  fd is an open
 * /proc/PID/maps.  *m gets the first mapping that ends after addr (only
 * those backed by a file when file_only), with its path only when
 * want_path (else path is "" and deleted false).  Returns 0, or -1 with
 * errno: ENOENT no more mappings, ESRCH no address space (a kernel thread),
 * ENOTTY or EINVAL this kernel cannot answer (parse the text instead). */
int ml_maps_next(int fd, unsigned long addr, bool file_only, bool want_path,
                 struct ml_maps_line *m);

/* Sizes of one mapping from smaps, in kB. */
struct ml_smaps {
    long long size_kb, rss_kb, pss_kb;
    long long shared_clean_kb, shared_dirty_kb;
    long long private_clean_kb, private_dirty_kb;
    long long swap_kb;
};

/* Fold one "Key:   N kB" line of an smaps block into s.  Returns 1 when
 * the line was such a field (known or not), 0 when it is not one (the
 * header of the next block, say). */
int ml_smaps_field(const char *line, struct ml_smaps *s);

/* The smaps sizes of the mapping that contains addr in process pid (0: this
 * process); *m gets its maps line when m is not NULL.  Returns 0, or -1 with
 * errno (ENOENT: no mapping there; EACCES, ESRCH from /proc). */
int ml_smaps_at(pid_t pid, unsigned long addr, struct ml_smaps *s,
                struct ml_maps_line *m);

/* One /proc/PID/pagemap entry. */
struct ml_pagemap {
    bool present;      /* the page is in RAM */
    bool swapped;
    bool file_shared;  /* a file page or shared anonymous (bit 61) */
    bool exclusive;    /* mapped by this process only (bit 56) */
    bool soft_dirty;
    uint64_t pfn;      /* the physical frame; 0 = hidden (no CAP_SYS_ADMIN) or absent */
};

/* The pagemap entry of the page that holds vaddr in process pid (0: this
 * process).  Returns 0, or -1 with errno.  Reading it never faults the page. */
int ml_pagemap_at(pid_t pid, unsigned long vaddr, struct ml_pagemap *pm);

/* The same from an open /proc/PID/pagemap, for a caller that asks often. */
int ml_pagemap_read(int fd, unsigned long vaddr, struct ml_pagemap *pm);

/* Has the process any page of [start, end) present or swapped out?  Asked
 * of an open /proc/PID/pagemap with the PAGEMAP_SCAN ioctl (Linux 6.7 and
 * later), which stops at the first one instead of listing them all.
 * Returns 0 with the answer in *any, or -1 with errno (ENOTTY or EINVAL:
 * this kernel cannot). */
int ml_pages_any(int pagemap_fd, unsigned long start, unsigned long end,
                 bool *any);

/* How many mappings the frame pfn has (/proc/kpagecount, CAP_SYS_ADMIN).
 * Returns 0, or -1 with errno. */
int ml_kpagecount(uint64_t pfn, uint64_t *count);

/* The same from an open /proc/kpagecount. */
int ml_kpagecount_read(int fd, uint64_t pfn, uint64_t *count);

/* Is capability cap (a CAP_* number, linux/capability.h) in this process's
 * effective set? */
bool ml_has_cap(int cap);

/* Does this process see real frame numbers?  (Needs CAP_SYS_ADMIN; without
 * it the kernel reports 0, which means hidden, never "frame 0".) */
bool ml_frames_visible(void);

/* May this process mount a file system (mount(2), unshare(CLONE_NEWNS))?
 * Both need CAP_SYS_ADMIN. */
bool ml_may_mount(void);

/* Is path (as this process sees it) where a file system is mounted?  Read
 * from /proc/self/mountinfo.  mount(2) changes the propagation of a mount
 * point only (EINVAL elsewhere): in a chroot, or a container whose root is
 * a directory of another file system, not even "/" is one. */
bool ml_is_mount_point(const char *path);

/* One pass over /proc, for whoever asks who uses which file: for every
 * other process, uses() for each file it maps (/proc/PID/maps) and each it
 * holds open (/proc/PID/fd), by device and inode; hidden() for a process
 * whose maps or descriptors this one may not read (piddir is its /proc
 * directory, open for the call).  Kernel threads and zombies, which have
 * no address space, are skipped.  Returns 0, or -1 with errno when /proc
 * cannot be read. */
struct ml_proc_visit {
    void (*uses)(void *ctx, pid_t pid, dev_t dev, ino_t ino, bool mapped);
    void (*hidden)(void *ctx, pid_t pid, int piddir);     /* may be NULL */
    void *ctx;
};
int ml_proc_scan(const struct ml_proc_visit *v);

/* Who else uses a file or shared memory object (its st_dev and st_ino, as
 * fstat gives them): the other processes that map it (/proc/PID/maps) and
 * those that only hold it open (/proc/PID/fd), among the processes this
 * one may look at.  This process is never counted. */
struct ml_users {
    int mappers;       /* processes mapping it */
    int holders;       /* processes with a descriptor on it, mapping none */
    pid_t mapper;      /* one of the mappers, when there is one */
};

/* Returns 0, or -1 with errno when /proc cannot be read. */
int ml_users_of(dev_t dev, ino_t ino, struct ml_users *u);

/* Minor and major faults of this process so far (getrusage). */
void ml_faults(long *minor, long *major);

#endif
