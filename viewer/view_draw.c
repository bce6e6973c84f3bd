/* view_draw.c — what the panels share: colours, boxes, text that fits.
 */
#include "view_draw.h"
#include "textfit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void view_text(WINDOW *w, int y, int x, int width, const char *text)
{
    char ascii[1024];
    bool cut;

    if (width <= 0)
        return;
    if (!g_utf8) {
        /* Outside a UTF-8 locale, bytes past ASCII would print as M-x. */
        size_t n = 0;
        for (; text[n] && n < sizeof ascii - 1; n++)
            ascii[n] = (unsigned char)text[n] < 0x80 ? text[n] : '?';
        ascii[n] = '\0';
        text = ascii;
    }
    /* Shortened: at the end of a word, and the mark that says there is
     * more. */
    size_t n = tf_cut(text, width, g_utf8, &cut);
    mvwaddnstr(w, y, x, text, (int)n);
    if (cut && width >= 2)
        waddstr(w, g_utf8 ? TF_MORE_UTF8 : TF_MORE_ASCII);
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
        size_t skip;
        bool split;
        size_t n = tf_row(p, r.w, g_utf8, &skip, &split);
        char line[512];
        size_t m = n < sizeof line - 8 ? n : sizeof line - 8;
        memcpy(line, p, m);
        line[m] = '\0';
        if (split)
            strcat(line, g_utf8 ? TF_SPLIT_UTF8 : TF_SPLIT_ASCII);
        view_text(w, y++, r.x, r.w, line);
        p += n + skip;
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
