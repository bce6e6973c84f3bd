/* ui.h — the live screen: ncurses, keys, and the sampling clock.
 */
#ifndef MMAPVIEW_UI_H
#define MMAPVIEW_UI_H

#include <stdbool.h>

#include "model.h"

/* Run the screen until q (or a signal).  Returns the exit status: 0 when
 * the object exists at the end, 1 when it does not. */
int ui_run(struct mv_model *m, int interval_ms, bool color);

#endif
