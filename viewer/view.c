/* view.c — the layout of the panels, and what they share: colours, boxes,
 * text that fits, and moving around.
 */
#include "view.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static bool g_utf8;

void view_init(struct view_state *vs, bool color, bool utf8)
{
    memset(vs, 0, sizeof *vs);
    vs->color = color;
    vs->utf8 = utf8;
    vs->match_off = -1;
    vs->focus = VIEW_MAP;
    g_utf8 = utf8;
    if (!color)
        return;
    use_default_colors();
    static const short fg[ROLE_COUNT] = {
        [ROLE_TITLE] = COLOR_CYAN,   [ROLE_GOOD] = COLOR_GREEN,
        [ROLE_WARN] = COLOR_YELLOW,  [ROLE_BAD] = COLOR_RED,
        [ROLE_NUL] = COLOR_BLUE,     [ROLE_SPACE] = COLOR_CYAN,
        [ROLE_OTHER] = COLOR_MAGENTA,[ROLE_CHANGED] = COLOR_BLACK,
        [ROLE_IN] = COLOR_GREEN,     [ROLE_PART] = COLOR_YELLOW,
        [ROLE_DIM] = COLOR_BLUE,     [ROLE_MATCH] = COLOR_BLACK,
    };
    for (int r = 1; r < ROLE_COUNT; r++) {
        short bg = r == ROLE_CHANGED ? COLOR_YELLOW : r == ROLE_MATCH ? COLOR_CYAN : -1;
        init_pair((short)r, fg[r], bg);
    }
}

attr_t view_attr(const struct view_state *vs, enum view_role role)
{
    if (vs->color) {
        attr_t extra = role == ROLE_TITLE || role == ROLE_BAD ? A_BOLD : A_NORMAL;
        return COLOR_PAIR(role) | extra;
    }
    /* Without colour only what matters most keeps a mark. */
    switch (role) {
    case ROLE_TITLE: return A_BOLD;
    case ROLE_BAD: return A_BOLD;
    case ROLE_CHANGED: return A_UNDERLINE | A_BOLD;
    case ROLE_MATCH: return A_STANDOUT;
    case ROLE_DIM: return A_DIM;
    default: return A_NORMAL;
    }
}

/* How many bytes of s fit in width columns. */
static size_t fit(const char *s, int width, bool utf8, int *cols)
{
    mbstate_t st;
    size_t i = 0, n = strlen(s);
    int c = 0;

    memset(&st, 0, sizeof st);
    while (i < n) {
        int cw = 1;
        size_t len = 1;
        if (utf8 && (unsigned char)s[i] >= 0x80) {
            wchar_t wc;
            len = mbrtowc(&wc, s + i, n - i, &st);
            if (len == (size_t)-1 || len == (size_t)-2 || len == 0) {
                memset(&st, 0, sizeof st);
                len = 1;
            } else {
                cw = wcwidth(wc);
                if (cw < 0)
                    cw = 1;
            }
        }
        if (c + cw > width)
            break;
        c += cw;
        i += len;
    }
    *cols = c;
    return i;
}

void view_text(WINDOW *w, int y, int x, int width, const char *text)
{
    int cols;

    if (width <= 0)
        return;
    if (!g_utf8) {
        /* Outside a UTF-8 locale, bytes past ASCII would print as M-x. */
        char buf[1024];
        size_t n = 0;
        for (; text[n] && n < sizeof buf - 1 && (int)n < width; n++)
            buf[n] = (unsigned char)text[n] < 0x80 ? text[n] : '?';
        buf[n] = '\0';
        mvwaddnstr(w, y, x, buf, (int)n);
        return;
    }
    size_t n = fit(text, width, true, &cols);
    mvwaddnstr(w, y, x, text, (int)n);
}

void view_status(WINDOW *w, int y, const char *left, const char *right, bool bad,
                 const struct view_state *vs)
{
    int cols = getmaxx(w), rl = (int)strlen(right);
    attr_t a = bad ? view_attr(vs, ROLE_BAD) : A_NORMAL;

    wattron(w, a);
    view_text(w, y, 0, cols - rl - 1, left);
    wattroff(w, a);
    if (cols > rl + 20) {
        wattron(w, A_REVERSE);
        view_text(w, y, cols - rl, rl, right);
        wattroff(w, A_REVERSE);
    }
}

int view_wrap(WINDOW *w, struct view_rect r, int y, const char *text)
{
    const char *p = text;

    while (*p && y < r.y + r.h) {
        int cols;
        size_t n = fit(p, r.w, g_utf8, &cols);
        if (p[n] != '\0') {
            /* Break at the last space that fits. */
            size_t b = n;
            while (b > 0 && p[b] != ' ')
                b--;
            if (b > 0)
                n = b;
        }
        char line[512];
        size_t m = n < sizeof line - 1 ? n : sizeof line - 1;
        memcpy(line, p, m);
        line[m] = '\0';
        view_text(w, y++, r.x, r.w, line);
        p += n;
        while (*p == ' ')
            p++;
    }
    return y;
}

struct view_rect view_box(WINDOW *w, struct view_rect r, const char *title,
                          bool focused, const struct view_state *vs)
{
    if (r.h < 2 || r.w < 2)
        return (struct view_rect){ r.y, r.x, 0, 0 };
    mvwaddch(w, r.y, r.x, ACS_ULCORNER);
    mvwhline(w, r.y, r.x + 1, ACS_HLINE, r.w - 2);
    mvwaddch(w, r.y, r.x + r.w - 1, ACS_URCORNER);
    mvwvline(w, r.y + 1, r.x, ACS_VLINE, r.h - 2);
    mvwvline(w, r.y + 1, r.x + r.w - 1, ACS_VLINE, r.h - 2);
    mvwaddch(w, r.y + r.h - 1, r.x, ACS_LLCORNER);
    mvwhline(w, r.y + r.h - 1, r.x + 1, ACS_HLINE, r.w - 2);
    mvwaddch(w, r.y + r.h - 1, r.x + r.w - 1, ACS_LRCORNER);
    if (title && r.w > 6) {
        attr_t a = view_attr(vs, ROLE_TITLE) | (focused ? A_REVERSE : A_NORMAL);
        wattron(w, a);
        mvwaddch(w, r.y, r.x + 1, ' ');
        char t[512];
        snprintf(t, sizeof t, "%s ", title);
        view_text(w, r.y, r.x + 2, r.w - 4, t);
        wattroff(w, a);
    }
    return (struct view_rect){ r.y + 1, r.x + 1, r.h - 2, r.w - 2 };
}

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
