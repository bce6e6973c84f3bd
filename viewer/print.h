/* print.h — the snapshot as text (--once) and as one JSON document (--json).
 */
#ifndef MMAPVIEW_PRINT_H
#define MMAPVIEW_PRINT_H

#include <stdio.h>

#include "model.h"

/* How many trace events the printers show. */
#define PRINT_EVENTS 10

/* How the samples went, for --json (medians over the samples taken). */
struct print_timing {
    int samples;
    double fast_ms, slow_ms;
};

void print_text(FILE *f, const struct mv_snapshot *s);
void print_json(FILE *f, const struct mv_snapshot *s,
                const struct print_timing *t);

#endif
