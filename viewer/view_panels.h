/* view_panels.h — the panels of a snapshot, one by one, for a caller that
 * lays them out itself (view.c, the tour).  Each draws into r and records
 * its geometry in vs.
 */
#ifndef MMAPVIEW_VIEW_PANELS_H
#define MMAPVIEW_VIEW_PANELS_H

#include "model.h"
#include "view_draw.h"

void view_object(WINDOW *w, struct view_rect r, const struct mv_snapshot *s,
                 struct view_state *vs);
void view_map(WINDOW *w, struct view_rect r, const struct mv_snapshot *s,
              struct view_state *vs);
void view_hex(WINDOW *w, struct view_rect r, const struct mv_snapshot *s,
              struct view_state *vs);
void view_frames(WINDOW *w, struct view_rect r, const struct mv_snapshot *s,
                 struct view_state *vs);
void view_procs(WINDOW *w, struct view_rect r, const struct mv_snapshot *s,
                struct view_state *vs);
void view_trace(WINDOW *w, struct view_rect r, const struct mv_snapshot *s,
                struct view_state *vs);

#endif
