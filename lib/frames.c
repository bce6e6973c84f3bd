/* frames.c — two pagemap entries, compared in words. */
#include "frames.h"

#include <stdio.h>

void ml_frame_describe(const struct ml_pagemap *pm, char *out, size_t outsz)
{
    char frame[40];

    if (!pm->present) {
        snprintf(out, outsz, pm->swapped ? "swapped out" : "not in memory");
        return;
    }
    if (pm->pfn)
        snprintf(frame, sizeof frame, "frame %#llx", (unsigned long long)pm->pfn);
    else
        snprintf(frame, sizeof frame, "frame hidden");
    snprintf(out, outsz, "%s, %s, %s", frame,
             pm->file_shared ? "file or shared page" : "anonymous page",
             pm->exclusive ? "exclusively mapped" : "mapped elsewhere too");
}

enum ml_frames ml_frames_compare(const struct ml_pagemap *a, const char *a_name,
                                 const struct ml_pagemap *b, const char *b_name,
                                 char *out, size_t outsz)
{
    char da[96], db[96];

    ml_frame_describe(a, da, sizeof da);
    ml_frame_describe(b, db, sizeof db);
    if (!a->present || !b->present) {
        snprintf(out, outsz, "%s: %s; %s: %s: a page that is not in memory has "
                 "no frame to compare", a_name, da, b_name, db);
        return ML_FRAMES_ABSENT;
    }
    if (a->pfn && b->pfn) {
        if (a->pfn == b->pfn)
            snprintf(out, outsz, "%s and %s use the SAME physical frame, %#llx: "
                     "one page of memory, two views of it", a_name, b_name,
                     (unsigned long long)a->pfn);
        else
            snprintf(out, outsz, "%s and %s use DIFFERENT physical frames, "
                     "%#llx and %#llx: two pages of memory", a_name, b_name,
                     (unsigned long long)a->pfn, (unsigned long long)b->pfn);
        return a->pfn == b->pfn ? ML_FRAMES_SAME : ML_FRAMES_DIFFERENT;
    }
    snprintf(out, outsz, "frame numbers are hidden (the kernel reports 0 without "
             "CAP_SYS_ADMIN: 0 means hidden, never equal; run with CAP_SYS_ADMIN, as root, to see "
             "them). %s: %s; %s: %s", a_name, da, b_name, db);
    return ML_FRAMES_HIDDEN;
}
