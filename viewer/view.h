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

struct view_rect {
    int y, x, h, w;
};

enum view_panel { VIEW_MAP, VIEW_HEX, VIEW_PROCS, VIEW_TRACE, VIEW_PANELS };

struct view_state {
    /* Set by the caller. */
    bool color, utf8;
    enum view_panel focus;
    int hex_top;              /* first hex row shown */
    int proc_top;             /* first process row shown */
    int trace_back;           /* events scrolled back from the newest */
    long long match_off;      /* a search match to highlight, or -1 */
    size_t match_len;

    /* Set by drawing: the geometry that moving and scrolling need. */
    int map_cols, map_rows;   /* cells across, rows of cells */
    size_t map_per;           /* pages a cell stands for */
    int hex_visible, hex_total;
    int proc_visible, proc_total;
    int trace_visible;
};

/* Colours and glyphs.  Call after initscr (and start_color when color). */
void view_init(struct view_state *vs, bool color, bool utf8);

/* The smallest rectangle view_draw fills. */
#define VIEW_MIN_H 23
#define VIEW_MIN_W 80

/* Draw every panel into r.  When r is too small, says so in it and returns
 * false. */
bool view_draw(WINDOW *w, struct view_rect r, const struct mv_snapshot *s,
               struct view_state *vs);

/* The panels one by one, for a caller that lays them out itself. */
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

/* ---- drawing helpers shared by the view's files (and the tour) -------- */

/* Colour roles; view_attr gives the attribute for one (plain attributes
 * when colour is off). */
enum view_role {
    ROLE_TITLE = 1, ROLE_GOOD, ROLE_WARN, ROLE_BAD, ROLE_NUL, ROLE_SPACE,
    ROLE_OTHER, ROLE_CHANGED, ROLE_IN, ROLE_PART, ROLE_DIM, ROLE_MATCH,
    ROLE_COUNT
};
attr_t view_attr(const struct view_state *vs, enum view_role role);

/* A box around r with a title (highlighted when focused); returns the
 * inside. */
struct view_rect view_box(WINDOW *w, struct view_rect r, const char *title,
                          bool focused, const struct view_state *vs);
/* Text at y, x, cut to width columns (UTF-8 aware). */
void view_text(WINDOW *w, int y, int x, int width, const char *text);
/* The status line at row y of w: the keys or a message on the left (in the
 * "bad" colour when bad), the state in reverse on the right when there is
 * room for both. */
void view_status(WINDOW *w, int y, const char *left, const char *right, bool bad,
                 const struct view_state *vs);
/* Word-wrap text into r from line y; returns the next free line. */
int view_wrap(WINDOW *w, struct view_rect r, int y, const char *text);

#endif
