/* view_draw.h — the drawing helpers the panels share (and the tour): the
 * rectangle and state a view draws with, colours, boxes, text that fits.
 * Below the panels (view_panels.h) and the layout (view.h).
 */
#ifndef MMAPVIEW_VIEW_DRAW_H
#define MMAPVIEW_VIEW_DRAW_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

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
