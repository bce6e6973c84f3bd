/* tour_screen.h — the tour on a terminal (tour_screen.c). */
#ifndef MMAPLAB_TOUR_SCREEN_H
#define MMAPLAB_TOUR_SCREEN_H

#include <stdbool.h>

#include "tour_engine.h"

/* The full-screen tour; returns the exit status, or TOUR_NO_SCREEN when
 * the terminal cannot show it (nothing has been started then). */
#define TOUR_NO_SCREEN (-1)
int tour_screen_run(struct tour *t, int extra, bool color, int delay_ms);

#endif
