/* view_hex.c — the selected page as hex and text: an offset column, 16
 * bytes a row, byte classes coloured (NUL, printable, white space, other),
 * rows equal to the one above squeezed to "*", changed bytes marked, and a
 * search match highlighted.
 */
#include "view_panels.h"
#include "describe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static attr_t byte_attr(const struct view_state *vs, const struct mv_snapshot *s,
                        size_t i)
{
    const struct mv_page *pg = &s->page;
    long long at = (long long)pg->offset + (long long)i;

    if (vs->match_off >= 0 && at >= vs->match_off &&
        at < vs->match_off + (long long)vs->match_len)
        return view_attr(vs, ROLE_MATCH);
    if (pg->changed[i])
        return view_attr(vs, ROLE_CHANGED);
    switch (describe_byte(pg->bytes[i])) {
    case BYTE_NUL: return view_attr(vs, ROLE_DIM);
    case BYTE_SPACE: return view_attr(vs, ROLE_SPACE);
    case BYTE_OTHER: return view_attr(vs, ROLE_OTHER);
    default: return A_NORMAL;
    }
}

static void row(WINDOW *w, int y, int x, const struct mv_snapshot *s,
                const struct hex_row *hr, const struct view_state *vs)
{
    const struct mv_page *pg = &s->page;
    char off[24];

    snprintf(off, sizeof off, "%08llx", (unsigned long long)(pg->offset + (off_t)hr->off));
    wattron(w, view_attr(vs, ROLE_TITLE));
    mvwaddstr(w, y, x, off);
    wattroff(w, view_attr(vs, ROLE_TITLE));
    for (size_t k = 0; k < 16; k++) {
        int hx = x + 10 + (int)k * 3 + (k >= 8);
        int tx = x + 10 + 16 * 3 + 1 + 1 + (int)k;
        if (k >= hr->len) {
            continue;                 /* past the end of the object */
        }
        size_t i = hr->off + k;
        unsigned char c = pg->bytes[i];
        char h[4];
        snprintf(h, sizeof h, "%02x", c);
        attr_t a = byte_attr(vs, s, i);
        wattron(w, a);
        mvwaddstr(w, y, hx, h);
        mvwaddch(w, y, tx, c > 0x20 && c < 0x7f ? c : c == ' ' ? ' ' : '.');
        wattroff(w, a);
    }
    mvwaddch(w, y, x + 10 + 16 * 3 + 1, '|');
    mvwaddch(w, y, x + 10 + 16 * 3 + 2 + 16, '|');
}

void view_hex(WINDOW *w, struct view_rect r, const struct mv_snapshot *s,
              struct view_state *vs)
{
    const struct mv_page *pg = &s->page;
    char title[256];

    if (s->obj.tracked && s->obj.pages > 0)
        snprintf(title, sizeof title, "Page %lld at 0x%llx: %zu byte%s%s%s", pg->index,
                 (unsigned long long)pg->offset, pg->len, pg->len == 1 ? "" : "s",
                 pg->hole ? ", a hole (no page: reads as zeros)" : "",
                 pg->nchanged ? ", changed" : "");
    else
        snprintf(title, sizeof title, "Page contents");
    struct view_rect in = view_box(w, r, title, vs->focus == VIEW_HEX, vs);
    vs->hex_visible = in.h;
    vs->hex_total = 0;
    if (in.h < 1)
        return;
    if (!s->obj.tracked || s->obj.pages == 0) {
        view_text(w, in.y, in.x, in.w, s->obj.tracked ? "the object is empty" : "no object");
        return;
    }
    if (!pg->valid) {
        view_wrap(w, in, in.y, pg->note);
        return;
    }
    size_t n;
    struct hex_row *rows = describe_hex_rows_new(pg, s->page_size, &n);
    vs->hex_total = (int)n;
    if (vs->hex_top > (int)n - in.h)
        vs->hex_top = (int)n - in.h;
    if (vs->hex_top < 0)
        vs->hex_top = 0;
    for (int i = 0; i < in.h && (size_t)(vs->hex_top + i) < n; i++) {
        const struct hex_row *hr = &rows[vs->hex_top + i];
        if (hr->squeezed)
            mvwaddstr(w, in.y + i, in.x, "*");
        else
            row(w, in.y + i, in.x, s, hr, vs);
    }
    free(rows);
}

void view_show_offset(struct view_state *vs, const struct mv_snapshot *s,
                      size_t off)
{
    size_t n;
    struct hex_row *rows = describe_hex_rows_new(&s->page, s->page_size, &n);

    for (size_t i = 0; i < n; i++) {
        if (off >= rows[i].off && (i + 1 == n || off < rows[i + 1].off)) {
            if ((int)i < vs->hex_top || (int)i >= vs->hex_top + vs->hex_visible)
                vs->hex_top = (int)i - vs->hex_visible / 2;
            if (vs->hex_top < 0)
                vs->hex_top = 0;
            break;
        }
    }
    free(rows);
}
