/* view.c — the layout of the panels, and moving around in them.
 */
#include "view.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static void too_small(WINDOW *w, struct view_rect r)
{
    char a[128], b[128];

    snprintf(a, sizeof a, "mmapview needs at least %dx%d;", VIEW_MIN_W,
             VIEW_MIN_H + 1);
    snprintf(b, sizeof b, "this is %dx%d. Make it larger.", r.w, r.h + 1);
    int y = r.y + r.h / 2 - 1;
    if (y < r.y)
        y = r.y;
    view_wrap(w, (struct view_rect){ r.y, r.x, r.h, r.w }, y, a);
    view_wrap(w, (struct view_rect){ r.y, r.x, r.h, r.w }, y + (r.w < (int)strlen(a) ? 2 : 1), b);
}

bool view_draw(WINDOW *w, struct view_rect r, const struct mv_snapshot *s,
               struct view_state *vs)
{
    if (r.h < VIEW_MIN_H || r.w < VIEW_MIN_W) {
        too_small(w, r);
        return false;
    }
    /* The object panel loses its last lines first on a short screen
     * (describe_object puts the ones that change first). */
    int top_h = r.h >= 29 ? 9 : 7;
    int rest = r.h - top_h, y = r.y;
    int obj_w = r.w * 52 / 100;
    if (obj_w < 44)
        obj_w = 44;
    view_object(w, (struct view_rect){ y, r.x, top_h, obj_w }, s, vs);
    view_map(w, (struct view_rect){ y, r.x + obj_w, top_h, r.w - obj_w }, s, vs);
    y += top_h;

    /* The hex rows need 80 columns; the frames go beside them when there
     * is room, else below them. */
    bool wide = r.w >= 80 + 30;
    int frames_h = wide ? 0 : rest >= 20 ? 5 : 3;
    int hex_h = (rest - frames_h) * (wide ? 40 : 45) / 100;
    int procs_h = (rest - frames_h) * (wide ? 25 : 30) / 100;
    if (hex_h < 6)
        hex_h = 6;
    if (procs_h < 4)
        procs_h = 4;
    int trace_h = rest - frames_h - hex_h - procs_h;
    if (trace_h < 3) {
        hex_h -= 3 - trace_h;
        trace_h = 3;
    }
    if (wide) {
        view_hex(w, (struct view_rect){ y, r.x, hex_h, 80 }, s, vs);
        view_frames(w, (struct view_rect){ y, r.x + 80, hex_h, r.w - 80 }, s, vs);
        y += hex_h;
    } else {
        view_hex(w, (struct view_rect){ y, r.x, hex_h, r.w }, s, vs);
        y += hex_h;
        view_frames(w, (struct view_rect){ y, r.x, frames_h, r.w }, s, vs);
        y += frames_h;
    }
    view_procs(w, (struct view_rect){ y, r.x, procs_h, r.w }, s, vs);
    y += procs_h;
    view_trace(w, (struct view_rect){ y, r.x, trace_h, r.w }, s, vs);
    return true;
}

long long view_move_selection(const struct view_state *vs,
                              const struct mv_snapshot *s, enum view_move mv)
{
    long long pages = (long long)s->obj.pages, cur = s->page.index;
    long long per = vs->map_per ? (long long)vs->map_per : 1;
    long long cols = vs->map_cols > 0 ? vs->map_cols : 1;
    long long rows = vs->map_rows > 0 ? vs->map_rows : 1;
    long long cell = cur / per, cells = (pages + per - 1) / per, next = cur;

    if (pages <= 0)
        return 0;
    switch (mv) {
    case MOVE_LEFT: next = (cell - 1) * per; break;
    case MOVE_RIGHT: next = (cell + 1) * per; break;
    case MOVE_UP: next = (cell - cols) * per; break;
    case MOVE_DOWN: next = (cell + cols) * per; break;
    case MOVE_PGUP: next = (cell - cols * (rows > 2 ? rows / 2 : 1)) * per; break;
    case MOVE_PGDN: next = (cell + cols * (rows > 2 ? rows / 2 : 1)) * per; break;
    case MOVE_FIRST: next = 0; break;
    case MOVE_LAST: next = pages - 1; break;
    case MOVE_PREV_PAGE: next = cur - 1; break;
    case MOVE_NEXT_PAGE: next = cur + 1; break;
    }
    /* Up or down past the edge stays in the same column when it can. */
    if ((mv == MOVE_UP || mv == MOVE_PGUP) && next < 0)
        next = (cell % cols) * per;
    if ((mv == MOVE_DOWN || mv == MOVE_PGDN) && next >= pages) {
        long long last_row = (cells - 1) / cols;
        long long c = last_row * cols + cell % cols;
        next = (c < cells ? c : cells - 1) * per;
    }
    if (next < 0)
        next = 0;
    if (next >= pages)
        next = pages - 1;
    return next;
}

static void scroll_by(int *top, int visible, int total, enum view_move mv)
{
    int page = visible > 1 ? visible - 1 : 1, t = *top;

    switch (mv) {
    case MOVE_UP: case MOVE_LEFT: case MOVE_PREV_PAGE: t--; break;
    case MOVE_DOWN: case MOVE_RIGHT: case MOVE_NEXT_PAGE: t++; break;
    case MOVE_PGUP: t -= page; break;
    case MOVE_PGDN: t += page; break;
    case MOVE_FIRST: t = 0; break;
    case MOVE_LAST: t = total; break;
    }
    if (t > total - visible)
        t = total - visible;
    if (t < 0)
        t = 0;
    *top = t;
}

void view_scroll(struct view_state *vs, enum view_move mv)
{
    switch (vs->focus) {
    case VIEW_HEX:
        scroll_by(&vs->hex_top, vs->hex_visible, vs->hex_total, mv);
        break;
    case VIEW_PROCS:
        scroll_by(&vs->proc_top, vs->proc_visible, vs->proc_total, mv);
        break;
    case VIEW_TRACE: {
        /* Scrolling the trace goes back in time: up is older. */
        enum view_move back = mv;
        if (mv == MOVE_UP || mv == MOVE_LEFT) back = MOVE_DOWN;
        else if (mv == MOVE_DOWN || mv == MOVE_RIGHT) back = MOVE_UP;
        else if (mv == MOVE_PGUP) back = MOVE_PGDN;
        else if (mv == MOVE_PGDN) back = MOVE_PGUP;
        else if (mv == MOVE_FIRST) back = MOVE_LAST;
        else if (mv == MOVE_LAST) back = MOVE_FIRST;
        scroll_by(&vs->trace_back, 1, MV_TRACE_KEEP, back);
        break;
    }
    default:
        break;
    }
}
