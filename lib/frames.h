/* frames.h — what two pagemap entries say about the pages behind two views,
 * in a sentence a student can read (07-file-pages, 08-private-cow).
 *
 * Frame numbers need CAP_SYS_ADMIN: without it the kernel reports frame 0
 * for every page, which means "hidden", never "equal".  Then the sentence
 * uses what is still visible: whether each page is exclusively mapped
 * (pagemap bit 56) and whether it is a file page or anonymous (bit 61).
 */
#ifndef MMAPLAB_FRAMES_H
#define MMAPLAB_FRAMES_H

#include <stddef.h>

#include "pages.h"

enum ml_frames {
    ML_FRAMES_SAME,        /* both present, one physical frame */
    ML_FRAMES_DIFFERENT,   /* both present, two frames */
    ML_FRAMES_HIDDEN,      /* both present, frame numbers not shown */
    ML_FRAMES_ABSENT,      /* a page is not in memory: nothing to compare */
};

/* One entry for people: "frame 0x1a2b3, file page, mapped elsewhere too",
 * "frame hidden, anonymous page, exclusively mapped", "not in memory". */
void ml_frame_describe(const struct ml_pagemap *pm, char *out, size_t outsz);

/* Compare page a (called a_name: "here", "the shared view") with page b,
 * and say so in out.  Returns what was found. */
enum ml_frames ml_frames_compare(const struct ml_pagemap *a, const char *a_name,
                                 const struct ml_pagemap *b, const char *b_name,
                                 char *out, size_t outsz);

#endif
