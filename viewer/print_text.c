/* print_text.c — the snapshot as plain text (--once): the panels of the
 * screen, one after the other, in ASCII.
 */
#include "print.h"
#include "describe.h"
#include "mmaplab.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAP_COLS 64
#define MAP_ROWS 16

static void heading(FILE *f, const char *title)
{
    fprintf(f, "\n%s\n", title);
}

static char mark(enum cell_kind k)
{
    switch (k) {
    case CELL_FULL: return '#';
    case CELL_PART: return '+';
    case CELL_NONE: return '.';
    default: return '?';
    }
}

static void page_map(FILE *f, const struct mv_snapshot *s)
{
    const struct mv_residency *r = &s->res;
    size_t pages = s->obj.pages, cells = MAP_COLS * MAP_ROWS;
    size_t per = pages <= cells ? 1 : (pages + cells - 1) / cells;
    char title[256], span[32];

    ml_human_size((unsigned long long)per * (unsigned long long)s->page_size,
                  span, sizeof span);
    snprintf(title, sizeof title, "Page map: %zu page%s, each mark %s%zu page%s%s%s"
             " (# %s, + partly, . not, ? unknown; ^ below: changed)",
             pages, pages == 1 ? "" : "s", per == 1 ? "" : "stands for ", per,
             per == 1 ? "" : "s", per == 1 ? "" : ", ", per == 1 ? "" : span,
             describe_in_word(r));
    heading(f, title);
    if (pages == 0) {
        fprintf(f, "  (no pages)\n");
        return;
    }
    size_t ncells = (pages + per - 1) / per;
    for (size_t row = 0; row * MAP_COLS < ncells; row++) {
        char marks[MAP_COLS + 1], changed[MAP_COLS + 1];
        bool any = false;
        size_t c0 = row * MAP_COLS, n = 0;
        for (size_t c = c0; c < ncells && c < c0 + MAP_COLS; c++, n++) {
            struct cell cl = describe_cell(r, c * per, (c + 1) * per);
            marks[n] = mark(cl.kind);
            changed[n] = cl.changed ? '^' : ' ';
            any = any || cl.changed;
        }
        marks[n] = changed[n] = '\0';
        fprintf(f, "  %8zu  %s\n", c0 * per, marks);
        if (any)
            fprintf(f, "  %8s  %s\n", "", changed);
    }
}

static void hex(FILE *f, const struct mv_snapshot *s)
{
    const struct mv_page *pg = &s->page;
    char title[200];

    if (!s->obj.tracked || s->obj.pages == 0)
        return;
    snprintf(title, sizeof title, "Page %lld (offset %#llx, %zu byte%s of the object)%s",
             pg->index, (unsigned long long)pg->offset, pg->len,
             pg->len == 1 ? "" : "s", pg->hole ? ": a hole, no page (reads as zeros)" : "");
    heading(f, title);
    if (!pg->valid) {
        fprintf(f, "  %s\n", pg->note);
        return;
    }
    size_t n;
    struct hex_row *rows = describe_hex_rows_new(pg, s->page_size, &n);
    for (size_t i = 0; i < n; i++) {
        if (rows[i].squeezed) {
            fprintf(f, "  *\n");
            continue;
        }
        char line[160];
        ml_hexdump(line, sizeof line, pg->bytes + rows[i].off, rows[i].len,
                   (long long)(pg->offset + (off_t)rows[i].off), "  ");
        fputs(line, f);
    }
    free(rows);
    if (pg->nchanged > 0)
        fprintf(f, "  (%zu byte%s changed since the last sample)\n", pg->nchanged,
                pg->nchanged == 1 ? "" : "s");
}

static void frames(FILE *f, const struct mv_snapshot *s)
{
    char title[96], line[256];

    if (!s->obj.tracked || s->page.index < 0)
        return;
    snprintf(title, sizeof title, "Frames of page %lld", s->page.index);
    heading(f, title);
    describe_frames_summary(s, line, sizeof line);
    fprintf(f, "  %s\n", line);
    for (size_t i = 0; i < s->procs.n; i++) {
        const struct mv_proc *p = &s->procs.v[i];
        if (p->self || p->fd_only)
            continue;
        char comm[64];
        describe_clean(comm, sizeof comm, p->comm);
        describe_frame(p, line, sizeof line);
        fprintf(f, "  %-7ld %-16.16s %#-14lx %s\n", (long)p->pid, comm,
                p->vaddr, line);
    }
}

static void processes(FILE *f, const struct mv_snapshot *s)
{
    char line[512];

    if (!s->obj.tracked)
        return;
    describe_proc_counts(s, line, sizeof line);
    heading(f, "Processes");
    fprintf(f, "  %s\n", line);
    if (s->procs.n == 0)
        return;
    fprintf(f, "  %s\n", describe_proc_header);
    for (size_t i = 0; i < s->procs.n; i++) {
        describe_proc(&s->procs.v[i], line, sizeof line);
        fprintf(f, "  %s\n", line);
    }
    fprintf(f, "  (%s)\n", describe_proc_legend);
}

static void trace(FILE *f, const struct mv_snapshot *s)
{
    const struct mv_trace *t = &s->trace;
    char line[512];

    heading(f, "Trace");
    if (t->note[0])
        fprintf(f, "  %s\n", t->note);
    if (t->n == 0 && !t->off && t->path[0] && !t->note[0])
        fprintf(f, "  no events for this object in %s\n", t->path);
    size_t from = t->n > PRINT_EVENTS ? t->n - PRINT_EVENTS : 0;
    for (size_t i = from; i < t->n; i++) {
        describe_event(mv_trace_at(t, i), line, sizeof line);
        fprintf(f, "  %s\n", line);
    }
}

void print_text(FILE *f, const struct mv_snapshot *s)
{
    char lines[12][DESC_LINE], when[64] = "";
    time_t sec = (time_t)(s->sampled_ns / 1000000000LL);
    struct tm tm;

    if (localtime_r(&sec, &tm) != NULL)
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    fprintf(f, "mmapview %s, sampled %s\n", ML_VERSION, when);
    heading(f, "Object");
    int n = describe_object(s, lines, 12);
    for (int i = 0; i < n; i++)
        fprintf(f, "  %s\n", lines[i]);
    if (s->obj.tracked) {
        page_map(f, s);
        hex(f, s);
        frames(f, s);
        processes(f, s);
    }
    trace(f, s);
}
