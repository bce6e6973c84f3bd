/* view_draw.c — what the panels share: colours, boxes, text that fits.
 */
#include "view_draw.h"

#include <stdio.h>
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
        size_t n = 0, len = strlen(text);
        for (; text[n] && n < sizeof buf - 1 && (int)n < width; n++)
            buf[n] = (unsigned char)text[n] < 0x80 ? text[n] : '?';
        if (n < len && n > 1)
            buf[n - 1] = '>';         /* cut: the mark says there is more */
        buf[n] = '\0';
        mvwaddnstr(w, y, x, buf, (int)n);
        return;
    }
    size_t n = fit(text, width, true, &cols);
    if (text[n] == '\0' || width < 2) {
        mvwaddnstr(w, y, x, text, (int)n);
        return;
    }
    /* Cut: one column less, and the mark that says there is more. */
    n = fit(text, width - 1, true, &cols);
    mvwaddnstr(w, y, x, text, (int)n);
    waddstr(w, "\u2026");
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
