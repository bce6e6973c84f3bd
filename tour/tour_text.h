/* tour_text.h — the tour as narrated text (tour_text.c). */
#ifndef MMAPLAB_TOUR_TEXT_H
#define MMAPLAB_TOUR_TEXT_H

#include "tour_engine.h"

/* The narrated text tour, with viewer (mmapview) --once snapshots;
 * returns the exit status. */
int tour_text_run(struct tour *t, int extra, const char *viewer);

#endif
