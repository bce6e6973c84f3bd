/* view.h — drawing a model snapshot with ncurses.
 *
 * The view draws into a rectangle of a window that the caller owns, so a
 * program can put the panels beside its own (the guided tour puts a
 * narration panel there).  It samples nothing: it only reads the snapshot
 * (model.h) and the view state below, and the caller refreshes the screen.
 *
 *     struct view_state vs;
 *     view_init(&vs, has_colors() && !no_color, utf8);   after initscr
 *     view_draw(stdscr, (struct view_rect){ 0, 0, LINES - 1, 40 }, snap, &vs);
 *     wnoutrefresh(stdscr); doupdate();
 */
#ifndef MMAPVIEW_VIEW_H
#define MMAPVIEW_VIEW_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "model.h"
#include "view_draw.h"
#include "view_panels.h"

/* The smallest rectangle view_draw fills. */
#define VIEW_MIN_H 23
#define VIEW_MIN_W 80

/* Draw every panel into r.  When r is too small, says so in it and returns
 * false. */
bool view_draw(WINDOW *w, struct view_rect r, const struct mv_snapshot *s,
               struct view_state *vs);

/* Moving: the selection on the page map, or scrolling the focused panel. */
enum view_move {
    MOVE_LEFT, MOVE_RIGHT, MOVE_UP, MOVE_DOWN, MOVE_PGUP, MOVE_PGDN,
    MOVE_FIRST, MOVE_LAST, MOVE_PREV_PAGE, MOVE_NEXT_PAGE,
};
/* The page the selection moves to (on the map as last drawn). */
long long view_move_selection(const struct view_state *vs,
                              const struct mv_snapshot *s, enum view_move mv);
/* Scroll the focused panel (hex, processes, trace). */
void view_scroll(struct view_state *vs, enum view_move mv);
/* Make the hex row holding byte off of the page visible. */
void view_show_offset(struct view_state *vs, const struct mv_snapshot *s,
                      size_t off);

#endif
