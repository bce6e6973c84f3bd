/* view_panels.c — the object, page map, frames, processes and trace
 * panels.  (The hex panel is in view_hex.c.)
 */
#include "view_panels.h"
#include "describe.h"
#include "textfit.h"
#include "mmaplab.h"

#include <stdio.h>
#include <string.h>

static enum view_role state_role(enum mv_state st)
{
    switch (st) {
    case MV_LIVE: return ROLE_GOOD;
    case MV_FREED: return ROLE_BAD;
    default: return ROLE_WARN;
    }
}

/* The rows a line of the Object panel takes at width w: wrapped under
 * its label (8 columns) when it does not fit; its rows are drawn when d. */
static int object_rows(WINDOW *w, struct view_rect in, int y, const char *line, bool utf8,
                       bool d)
{
    size_t skip;
    bool split;
    int rows = 0, x = in.x, width = in.w;
    char part[DESC_LINE + 8];

    while (*line && (!d || y + rows < in.y + in.h)) {
        size_t n = tf_row(line, width, utf8, &skip, &split);
        if (d) {
            snprintf(part, sizeof part, "%.*s%s", (int)n, line,
                     split ? (utf8 ? TF_SPLIT_UTF8 : TF_SPLIT_ASCII) : "");
            view_text(w, y + rows, x, width, part);
        }
        line += n + skip;
        rows++;
        if (width == in.w && in.w > 16) {
            x = in.x + 8;
            width = in.w - 8;
        }
    }
    return rows;
}

void view_object(WINDOW *w, struct view_rect r, const struct mv_snapshot *s,
                 struct view_state *vs)
{
    char lines[12][DESC_LINE];
    struct view_rect in = view_box(w, r, "Object", false, vs);
    int n = describe_object(s, lines, 12);

    /* A line too long for the panel wraps under its label when there are
     * rows for every line so; else each is shortened at a word. */
    int need = 0;
    for (int i = 0; i < n; i++)
        need += strncmp(lines[i], "state   ", 8) == 0 ? 1
              : object_rows(w, in, 0, lines[i], vs->utf8, false);
    bool wrap = need <= in.h;
    int y = in.y;
    for (int i = 0; i < n && y < in.y + in.h; i++) {
        if (strncmp(lines[i], "state   ", 8) == 0) {
            /* The state word stands out: it is what changes. */
            const char *word = mv_state_word(s->state);
            view_text(w, y, in.x, in.w, "state   ");
            wattron(w, view_attr(vs, state_role(s->state)) | A_BOLD);
            char up[16];
            size_t k = 0;
            for (; word[k] && k < sizeof up - 1; k++)
                up[k] = (char)(word[k] >= 'a' && word[k] <= 'z' ? word[k] - 32 : word[k]);
            up[k] = '\0';
            view_text(w, y, in.x + 8, in.w - 8, up);
            wattroff(w, view_attr(vs, state_role(s->state)) | A_BOLD);
            view_text(w, y, in.x + 8 + (int)k, in.w - 8 - (int)k,
                      lines[i] + 8 + k);
            y++;
        } else if (wrap) {
            y += object_rows(w, in, y, lines[i], vs->utf8, true);
        } else {
            view_text(w, y++, in.x, in.w, lines[i]);
        }
    }
}

static const char *glyph(const struct view_state *vs, enum cell_kind k,
                         enum mv_res_source src)
{
    bool alloc = src == MV_RES_SEEK_DATA;
    switch (k) {
    case CELL_FULL: return vs->utf8 ? (alloc ? "\u2593" : "\u2588") : (alloc ? "a" : "#");
    case CELL_PART: return vs->utf8 ? "\u2592" : "+";
    case CELL_NONE: return vs->utf8 ? "\u00b7" : ".";
    default: return "?";
    }
}

void view_map(WINDOW *w, struct view_rect r, const struct mv_snapshot *s,
              struct view_state *vs)
{
    const struct mv_residency *res = &s->res;
    size_t pages = s->obj.pages;
    struct view_rect in = view_box(w, r, "Page map", vs->focus == VIEW_MAP, vs);
    char line[256], span[32];

    vs->map_cols = vs->map_rows = 0;
    vs->map_per = 1;
    if (in.h < 3 || in.w < 10)
        return;
    if (!s->obj.tracked || pages == 0) {
        view_text(w, in.y, in.x, in.w, s->obj.tracked ? "no pages: the object is empty"
                                                      : "no object");
        return;
    }
    /* Two lines below the cells: the selection, and the legend. */
    int rows = in.h - 2, avail = in.w;
    int cw = (size_t)(avail / 2) * (size_t)rows >= pages ? 2 : 1;
    int cols = avail / cw;
    size_t cells = (size_t)cols * (size_t)rows;
    size_t per = (pages + cells - 1) / cells;
    size_t ncells = (pages + per - 1) / per;
    size_t sel = s->page.index >= 0 ? (size_t)s->page.index / per : 0;

    vs->map_cols = cols;
    vs->map_rows = (int)((ncells + (size_t)cols - 1) / (size_t)cols);
    vs->map_per = per;
    for (size_t c = 0; c < ncells; c++) {
        struct cell cl = describe_cell(res, c * per, (c + 1) * per);
        int y = in.y + (int)(c / (size_t)cols), x = in.x + (int)(c % (size_t)cols) * cw;
        attr_t a = cl.kind == CELL_FULL ? view_attr(vs, ROLE_IN)
                 : cl.kind == CELL_PART ? view_attr(vs, ROLE_PART)
                 : view_attr(vs, ROLE_DIM);
        if (cl.changed)
            a = view_attr(vs, ROLE_CHANGED);
        if (c == sel)
            a |= A_REVERSE;
        wattron(w, a);
        mvwaddstr(w, y, x, glyph(vs, cl.kind, res->source));
        wattroff(w, a);
    }

    const char *inw = describe_in_word(res);
    uint8_t st = s->page.index >= 0 && (size_t)s->page.index < res->npages
               ? res->map[s->page.index] : MV_PAGE_UNKNOWN;
    ml_human_size((unsigned long long)per * (unsigned long long)s->page_size, span, sizeof span);
    const char *is = st == MV_PAGE_IN ? "" : st == MV_PAGE_OUT ? "not " : "? ";
    if (per == 1)
        snprintf(line, sizeof line, "page %lld of %zu: %s%s; a cell is a page",
                 s->page.index, pages, is, inw);
    else
        snprintf(line, sizeof line, "page %lld of %zu: %s%s; %zu pages a cell (%s)",
                 s->page.index, pages, is, inw, per, span);
    view_text(w, in.y + in.h - 2, in.x, in.w, line);
    snprintf(line, sizeof line, "%s %s  %s partly  %s not   %zu changed (%s)",
             glyph(vs, CELL_FULL, res->source), inw, glyph(vs, CELL_PART, res->source),
             glyph(vs, CELL_NONE, res->source), res->nchanged,
             vs->color ? "in yellow" : "underlined");
    if (res->source == MV_RES_UNKNOWN)
        snprintf(line, sizeof line, "? %s", describe_unknown(s));
    view_text(w, in.y + in.h - 1, in.x, in.w, line);
}

void view_frames(WINDOW *w, struct view_rect r, const struct mv_snapshot *s,
                 struct view_state *vs)
{
    char title[64], line[256];

    snprintf(title, sizeof title, "Frames of page %lld", s->page.index < 0 ? 0 : s->page.index);
    struct view_rect in = view_box(w, r, title, false, vs);
    if (in.h < 1)
        return;
    describe_frames_summary(s, line, sizeof line);
    int y = view_wrap(w, in, in.y, line);
    for (size_t i = 0; i < s->procs.n && y < in.y + in.h; i++) {
        const struct mv_proc *p = &s->procs.v[i];
        if (p->self || p->fd_only)
            continue;
        char fr[128], comm[64];
        describe_frame(p, fr, sizeof fr);
        describe_clean(comm, sizeof comm, p->comm);
        snprintf(line, sizeof line, "%-6ld %-9.9s %s", (long)p->pid, comm, fr);
        attr_t a = p->frame_state == MV_FRAME_PRESENT && p->frame_group >= 0
                 ? view_attr(vs, p->frame_group == 0 ? ROLE_GOOD : ROLE_WARN)
                 : A_NORMAL;
        wattron(w, a);
        view_text(w, y++, in.x, in.w, line);
        wattroff(w, a);
    }
}

void view_procs(WINDOW *w, struct view_rect r, const struct mv_snapshot *s,
                struct view_state *vs)
{
    char title[600], line[512];

    describe_proc_counts(s, line, sizeof line);
    snprintf(title, sizeof title, "Processes: %s", line);
    struct view_rect in = view_box(w, r, title, vs->focus == VIEW_PROCS, vs);
    vs->proc_visible = in.h - 1;
    vs->proc_total = (int)s->procs.n;
    if (in.h < 1)
        return;
    if (!s->obj.tracked) {
        view_text(w, in.y, in.x, in.w, "no object");
        return;
    }
    if (!s->procs.valid) {
        view_text(w, in.y, in.x, in.w, "looking in /proc ...");
        return;
    }
    int y = in.y;
    if (s->procs.mappers + s->procs.holders == 0) {
        /* Only viewers, if anything: say so plainly, then show them. */
        view_text(w, y++, in.x, in.w, s->procs.hidden > 0
                  ? "no process seen mapping it or holding it open (some could not be inspected)"
                  : "no process maps it or holds it open");
        for (size_t i = 0; i < s->procs.n && y < in.y + in.h; i++) {
            describe_proc(&s->procs.v[i], line, sizeof line);
            wattron(w, view_attr(vs, ROLE_DIM));
            view_text(w, y++, in.x, in.w, line);
            wattroff(w, view_attr(vs, ROLE_DIM));
        }
        return;
    }
    wattron(w, A_BOLD);
    view_text(w, in.y, in.x, in.w, describe_proc_header);
    wattroff(w, A_BOLD);
    if (vs->proc_top > vs->proc_total - vs->proc_visible)
        vs->proc_top = vs->proc_total - vs->proc_visible;
    if (vs->proc_top < 0)
        vs->proc_top = 0;
    for (int i = 0; i < vs->proc_visible && (size_t)(vs->proc_top + i) < s->procs.n; i++) {
        const struct mv_proc *p = &s->procs.v[vs->proc_top + i];
        describe_proc(p, line, sizeof line);
        attr_t a = p->self || p->viewer ? view_attr(vs, ROLE_DIM) : A_NORMAL;
        wattron(w, a);
        view_text(w, in.y + 1 + i, in.x, in.w, line);
        wattroff(w, a);
    }
}

void view_trace(WINDOW *w, struct view_rect r, const struct mv_snapshot *s,
                struct view_state *vs)
{
    const struct mv_trace *t = &s->trace;
    char title[4200], line[512], path[4096];

    describe_clean(path, sizeof path, t->path);
    if (t->off || !t->path[0])
        snprintf(title, sizeof title, "Trace");
    else
        snprintf(title, sizeof title, "Trace: %llu event%s for this object in %s",
                 t->seen, t->seen == 1 ? "" : "s", path);
    struct view_rect in = view_box(w, r, title, vs->focus == VIEW_TRACE, vs);
    vs->trace_visible = in.h;
    if (in.h < 1)
        return;
    int y = in.y;
    if (t->note[0] && t->n == 0) {
        view_text(w, y++, in.x, in.w, t->note);
        return;
    }
    if (t->n == 0) {
        view_text(w, y, in.x, in.w, "no events for this object yet");
        return;
    }
    /* Newest at the bottom. */
    int show = in.h < (int)t->n ? in.h : (int)t->n;
    int maxback = (int)t->n - show;
    if (vs->trace_back > maxback)
        vs->trace_back = maxback;
    size_t first = t->n - (size_t)show - (size_t)vs->trace_back;
    for (int i = 0; i < show; i++) {
        const struct mv_event *e = mv_trace_at(t, first + (size_t)i);
        describe_event(e, line, sizeof line);
        attr_t a = e->failed ? view_attr(vs, ROLE_BAD)
                 : strcmp(e->event, "hold") == 0 ? view_attr(vs, ROLE_WARN) : A_NORMAL;
        wattron(w, a);
        view_text(w, y + (in.h - show) + i, in.x, in.w, line);
        wattroff(w, a);
    }
}
