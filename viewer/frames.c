/* frames.c — the physical frame behind the selected page, in each mapper.
 *
 * /proc/PID/pagemap gives, for the page at an address in that process,
 * whether it is present and (with CAP_SYS_ADMIN) its frame number;
 * /proc/kpagecount says how many mappings that frame has.  Equal frames are
 * grouped so that "two processes, one frame" and "a private copy after a
 * write" can be seen.  Without the capability the kernel reports frame 0,
 * which means hidden, never equal.  Reading pagemap never faults the page.
 */
#include "model_parts.h"

#include <errno.h>

static void one(struct mv_proc *e, long long page, long psz)
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
    if (ml_pagemap_at(e->pid, e->vaddr, &pm) == -1) {
        e->frame_state = MV_FRAME_UNREADABLE;
        return;
    }
    e->exclusive = pm.exclusive;
    if (pm.swapped)
        e->frame_state = MV_FRAME_SWAPPED;
    else if (!pm.present)
        e->frame_state = MV_FRAME_ABSENT;
    else if (pm.pfn == 0)
        e->frame_state = MV_FRAME_HIDDEN;
    else {
        e->frame_state = MV_FRAME_PRESENT;
        e->pfn = pm.pfn;
        uint64_t c;
        if (ml_kpagecount(pm.pfn, &c) == 0)
            e->mapcount = c;
    }
}

void frames_sample(struct mv_model *m)
{
    struct mv_snapshot *s = &m->s;
    struct mv_procs *p = &s->procs;
    int groups = 0;

    for (size_t i = 0; i < p->n; i++) {
        struct mv_proc *e = &p->v[i];
        if (s->page.index < 0 || e->self) {
            e->frame_state = MV_FRAME_OUTSIDE;
            e->frame_group = -1;
            continue;
        }
        one(e, s->page.index, s->page_size);
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
