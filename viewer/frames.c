/* frames.c — the physical frame behind the selected page, in each mapper.
 *
 * /proc/PID/pagemap gives, for the page at an address in that process,
 * whether it is present and (with CAP_SYS_ADMIN) its frame number;
 * /proc/kpagecount says how many mappings that frame has.  Equal frames are
 * grouped so that "two processes, one frame" and "a private copy after a
 * write" can be seen.  Without the capability the kernel reports frame 0,
 * which means hidden, never equal.  Reading pagemap never faults the page.
 *
 * This runs every tick for every mapper, so the pagemap files stay open
 * between ticks (opening one is most of the cost) until the process is
 * seen to be gone.
 */
#include "frames.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int pagemap_fd(struct frames_part *m, pid_t pid, bool fresh)
{
    for (size_t i = 0; i < m->npm; i++) {
        if (m->pm[i].pid != pid)
            continue;
        if (!fresh)
            return m->pm[i].fd;
        close(m->pm[i].fd);
        m->pm[i] = m->pm[--m->npm];
        break;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/pagemap", (long)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd == -1)
        return -1;
    struct pm_fd *v = realloc(m->pm, (m->npm + 1) * sizeof *v);
    if (v == NULL) {
        close(fd);
        return -1;
    }
    m->pm = v;
    m->pm[m->npm++] = (struct pm_fd){ pid, fd };
    return fd;
}

static int read_entry(struct frames_part *m, pid_t pid, unsigned long vaddr,
                      struct ml_pagemap *pm)
{
    int fd = pagemap_fd(m, pid, false);
    if (fd >= 0 && ml_pagemap_read(fd, vaddr, pm) == 0)
        return 0;
    /* The process may be gone and its pid taken again: open it anew. */
    fd = pagemap_fd(m, pid, true);
    return fd >= 0 ? ml_pagemap_read(fd, vaddr, pm) : -1;
}

static void one(struct frames_part *m, struct mv_proc *e, long long page, long psz)
{
    unsigned long long want = (unsigned long long)page * (unsigned long long)psz;
    unsigned long long len = e->end - e->start;
    struct ml_pagemap pm;

    e->pfn = 0;
    e->exclusive = false;
    e->mapcount = 0;
    e->frame_group = -1;
    e->vaddr = 0;
    if (e->fd_only || want < e->offset || want - e->offset >= len) {
        e->frame_state = MV_FRAME_OUTSIDE;
        return;
    }
    e->vaddr = e->start + (unsigned long)(want - e->offset);
    if (read_entry(m, e->pid, e->vaddr, &pm) == -1) {
        e->frame_state = MV_FRAME_UNREADABLE;
        return;
    }
    e->exclusive = pm.exclusive;
    if (pm.swapped) {
        e->frame_state = MV_FRAME_SWAPPED;
    } else if (!pm.present) {
        e->frame_state = MV_FRAME_ABSENT;
    } else if (pm.pfn == 0) {
        e->frame_state = MV_FRAME_HIDDEN;
    } else {
        e->frame_state = MV_FRAME_PRESENT;
        e->pfn = pm.pfn;
        if (m->kpc_fd < 0)
            m->kpc_fd = open("/proc/kpagecount", O_RDONLY | O_CLOEXEC);
        uint64_t c;
        if (m->kpc_fd >= 0 && ml_kpagecount_read(m->kpc_fd, pm.pfn, &c) == 0)
            e->mapcount = c;
    }
}

void frames_sample(struct frames_part *m, struct mv_snapshot *s)
{
    struct mv_procs *p = &s->procs;
    int groups = 0;

    for (size_t i = 0; i < p->n; i++) {
        struct mv_proc *e = &p->v[i];
        if (s->page.index < 0 || e->self) {
            e->frame_state = MV_FRAME_OUTSIDE;
            e->frame_group = -1;
            continue;
        }
        one(m, e, s->page.index, s->page_size);
        if (e->frame_state != MV_FRAME_PRESENT)
            continue;
        for (size_t j = 0; j < i; j++) {
            if (p->v[j].frame_state == MV_FRAME_PRESENT && p->v[j].pfn == e->pfn) {
                e->frame_group = p->v[j].frame_group;
                break;
            }
        }
        if (e->frame_group < 0)
            e->frame_group = groups++;
    }
}

void frames_prune(struct frames_part *m, const struct mv_procs *p)
{

    for (size_t i = 0; i < m->npm; ) {
        bool keep = false;
        for (size_t j = 0; j < p->n && !keep; j++)
            keep = p->v[j].pid == m->pm[i].pid && !p->v[j].fd_only;
        if (keep) {
            i++;
            continue;
        }
        close(m->pm[i].fd);
        m->pm[i] = m->pm[--m->npm];
    }
}

void frames_init(struct frames_part *m)
{
    m->pm = NULL;
    m->npm = 0;
    m->kpc_fd = -1;
}

void frames_close(struct frames_part *m)
{
    for (size_t i = 0; i < m->npm; i++)
        close(m->pm[i].fd);
    free(m->pm);
    m->pm = NULL;
    m->npm = 0;
    if (m->kpc_fd >= 0)
        close(m->kpc_fd);
    m->kpc_fd = -1;
}
