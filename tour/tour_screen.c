/* tour_screen.c — the tour on a terminal: the narration, the viewer's
 * panels on the object, and the two programs' output side by side.
 *
 * One thread and one poll, as in mmapview: keys, the signal pipe, the
 * programs' output and the trace wake it; the model is sampled every half
 * second and at once whenever the tour reaches a new stop, so the panels
 * always show the step that has just happened.  The terminal is given back
 * on every way out: the normal end, a signal (the loop ends first), a crash
 * (the handler writes the saved reset sequences itself).
 */
#include "tour_screen.h"
#include "clock.h"
#include "wake.h"
#include "describe.h"
#include "view.h"
#include "fullscreen.h"
#include "textfit.h"

#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TOUR_MIN_W 80
#define TOUR_MIN_H 24
#define FAST_MS 500
/* Playing by itself, a stop stays for --delay and then this long for each
 * word of its narration (about 200 words a minute); + and - change it. */
#define PACE_MS 300.0
#define PACE_MIN_MS 40.0
#define PACE_MAX_MS 3000.0
#define SLOW_MS 2000

struct screen {
    struct tour *t;
    struct mv_model *m;
    char target[4400];
    bool target_file;
    struct view_state vs;
    bool color, utf8;
    bool help, quit, small;
    bool autoplay;
    int delay_ms;             /* --delay: the pause before any reading time */
    double pace;              /* reading time per word, in ms ('+' '-') */
    int page;                 /* the part shown on a small screen: PG_* */
    int back;                 /* program output scrolled back, in rows */
    bool scrolled;            /* by PgUp/PgDn: the named line no longer leads */
    int shown_back;           /* the rows back the pane was last drawn with */
    bool pane_shown;          /* the last drawing had the programs' panes */
    double auto_at;
    char note[300];
    bool note_bad;
    double next_fast, next_slow;
    /* Where the tour stood at the last sample: a new stop samples at once. */
    int seen_phase, seen_step, seen_x, seen_extra;
};

/* ---- the model ------------------------------------------------------------- */

static void sample(struct screen *s, unsigned tiers)
{
    if (s->m == NULL)
        return;
    mv_model_sample(s->m, tiers);
    double now = mv_now_ms();
    s->next_fast = now + FAST_MS;
    if (tiers & MV_SLOW)
        s->next_slow = now + SLOW_MS;
}

static void on_follow(struct tour *t, const char *target, bool file)
{
    struct screen *s = t->face;
    char why[512];

    if (s->m != NULL && strcmp(s->target, target) == 0 && s->target_file == file)
        return;
    mv_model_free(s->m);
    s->m = NULL;
    snprintf(s->target, sizeof s->target, "%s", target);
    s->target_file = file;
    struct mv_config cfg = { .target = s->target, .force_file = file,
                             .trace = t->trace_path };
    s->m = mv_model_new(&cfg, why, sizeof why);
    if (s->m == NULL) {
        snprintf(s->note, sizeof s->note, "the viewer cannot follow %.100s: %.160s", target, why);
        s->note_bad = true;
        return;
    }
    s->vs.hex_top = s->vs.proc_top = s->vs.trace_back = 0;
    sample(s, MV_FAST | MV_SLOW | MV_FULL);
}

/* ---- drawing --------------------------------------------------------------- */

/* On a screen too small for every panel at once, the panels come in
 * parts under the narration, chosen with Tab: first the part that holds
 * what this stop's narration names (its panels stacked, each scrolled to
 * the named rows), then the programs, the object and its page map, the
 * page's bytes and frames, the processes and the trace. */
enum { PG_STEP, PG_PROGRAMS, PG_OBJECT, PG_PAGE, PG_PROCS, PG_COUNT };
static const char *const page_names[PG_COUNT] = {
    "this step", "programs", "object", "page, frames", "processes, trace",
};

/* A panel in a place on the screen. */
enum slot_kind { SL_OBJ, SL_MAP, SL_HEX, SL_FRAMES, SL_PROCS, SL_TRACE, SL_PANE };

struct slot {
    enum slot_kind kind;
    int pane;                 /* SL_PANE: which */
    struct view_rect r;
};

#define MAX_SLOTS 8

struct layout {
    struct view_rect narr;
    struct slot slot[MAX_SLOTS];
    int n;
    int tabs_y;               /* the row of the part names, or -1: no parts */
};

static int narration_rows(struct screen *s, int w);

/* Everything at once needs this many rows below the narration. */
#define ALL_ROWS (10 + 8 + 6 + 10)

static void add(struct layout *l, enum slot_kind k, int pane, int y, int x, int h, int w)
{
    if (l->n < MAX_SLOTS && h > 0 && w > 0)
        l->slot[l->n++] = (struct slot){ k, pane, { y, x, h, w } };
}

static void panes_at(const struct tour *t, struct layout *l, int y, int h, int W)
{
    if (t->extra >= 0) {
        add(l, SL_PANE, PANE_FIRST, y, 0, h, W);
    } else {
        add(l, SL_PANE, PANE_FIRST, y, 0, h, W / 2);
        add(l, SL_PANE, PANE_SECOND, y, W / 2, h, W - W / 2);
    }
}

/* What this stop's narration names: the step's (or hold's) list, and the
 * pane its TN_PANE lines are in.  A stop shows what the step before it has
 * done; a step that runs, what it does. */
struct named_now {
    const struct tour_named *v;   /* TOUR_MAX_NAMED entries, or NULL */
    int pane;
};

static struct named_now stop_named(const struct tour *t)
{
    struct named_now n = { NULL, PANE_FIRST };

    if (t->extra >= 0) {
        const struct tour_extra *x = &tour_extras[t->extra];
        int stop = t->phase == TP_X_DONE ? x->nholds + 1
                 : t->phase == TP_X_BUSY ? t->x_stop + 1
                 : t->phase == TP_X_READY ? t->x_stop : 0;
        if (stop > x->nholds + 1)
            stop = x->nholds + 1;
        if (stop >= 1)
            n.v = x->named[stop - 1];
        return n;
    }
    int k = -1;
    if (t->phase == TP_MENU)
        k = tour_nsteps - 1;
    else if (t->phase == TP_READY)
        k = t->step > 0 ? t->step - 1 : 0;
    else if (t->phase == TP_BUSY)
        k = t->step;
    if (k >= 0 && k < tour_nsteps) {
        n.v = tour_steps[k].named;
        n.pane = tour_steps[k].pane;
    }
    return n;
}

/* The compiled expression of a named line (the script's strings live as
 * long as the program: they key the cache). */
static const regex_t *named_re(const char *re)
{
    static struct { const char *re; regex_t c; bool ok; } cache[128];
    static int n;

    for (int i = 0; i < n; i++)
        if (cache[i].re == re)
            return cache[i].ok ? &cache[i].c : NULL;
    if (n == (int)(sizeof cache / sizeof cache[0]))
        return NULL;
    cache[n].re = re;
    cache[n].ok = regcomp(&cache[n].c, re, REG_EXTENDED | REG_NOSUB) == 0;
    return cache[n].ok ? &cache[n++].c : (n++, NULL);
}

static bool named_in(const struct named_now *nn, enum tour_part part, int pane,
                     const char *text)
{
    for (int i = 0; nn->v != NULL && i < TOUR_MAX_NAMED; i++) {
        if (nn->v[i].part != part || nn->v[i].re == NULL)
            continue;
        if (part == TN_PANE && pane != nn->pane && pane >= 0)
            continue;
        const regex_t *re = named_re(nn->v[i].re);
        if (re != NULL && regexec(re, text, 0, NULL, 0) == 0)
            return true;
    }
    return false;
}

static enum tour_part part_of(enum slot_kind k)
{
    switch (k) {
    case SL_OBJ: return TN_OBJECT;
    case SL_HEX: return TN_HEX;
    case SL_FRAMES: return TN_FRAMES;
    case SL_PROCS: return TN_PROCS;
    case SL_PANE: return TN_PANE;
    default: return TN_NONE;
    }
}

/* ---- panels drawn off the screen, then shown at their named rows -------- */

#define PAD_ROWS 320

struct padded {
    WINDOW *pad;
    int w;
    int content;              /* rows of text inside the box */
    int first, last;          /* inner rows named (first -1: none) */
};

static void draw_panel(struct screen *s, WINDOW *w, enum slot_kind k, struct view_rect r)
{
    const struct mv_snapshot *snap = mv_model_snapshot(s->m);

    switch (k) {
    case SL_OBJ: view_object(w, r, snap, &s->vs); break;
    case SL_MAP: view_map(w, r, snap, &s->vs); break;
    case SL_HEX: view_hex(w, r, snap, &s->vs); break;
    case SL_FRAMES: view_frames(w, r, snap, &s->vs); break;
    case SL_PROCS: view_procs(w, r, snap, &s->vs); break;
    case SL_TRACE: view_trace(w, r, snap, &s->vs); break;
    default: break;
    }
}

/* The text of a row of a window, ASCII (others as '?'). */
static void row_text(WINDOW *w, int y, int x, int n, char *out, size_t outsz)
{
    chtype ch[512];
    if (n > (int)(sizeof ch / sizeof ch[0]) - 1)
        n = (int)(sizeof ch / sizeof ch[0]) - 1;
    int got = mvwinchnstr(w, y, x, ch, n);
    size_t k = 0;
    for (int i = 0; i < got && k + 1 < outsz; i++) {
        chtype c = ch[i] & A_CHARTEXT;
        out[k++] = (ch[i] & A_ALTCHARSET) ? ' ' : c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    out[k] = '\0';
}

/* Draw a panel whole into a pad and find the rows the narration names
 * (marked there). */
static bool pad_panel(struct screen *s, enum slot_kind k, int w, const struct named_now *nn,
                      struct padded *p)
{
    memset(p, 0, sizeof *p);
    p->first = p->last = -1;
    p->pad = newpad(PAD_ROWS, w);
    if (p->pad == NULL)
        return false;
    p->w = w;
    int top = s->vs.proc_top, hex = s->vs.hex_top;
    s->vs.proc_top = s->vs.hex_top = 0;
    draw_panel(s, p->pad, k, (struct view_rect){ 0, 0, PAD_ROWS, w });
    s->vs.proc_top = top;
    s->vs.hex_top = hex;
    char text[600];
    for (int y = 1; y < PAD_ROWS - 1; y++) {
        row_text(p->pad, y, 1, w - 2, text, sizeof text);
        size_t len = strlen(text);
        while (len > 0 && text[len - 1] == ' ')
            text[--len] = '\0';
        if (len > 0)
            p->content = y;
        if (len > 0 && named_in(nn, part_of(k), -1, text)) {
            if (p->first < 0)
                p->first = y - 1;
            p->last = y - 1;
            mvwchgat(p->pad, y, 1, w - 2, A_REVERSE | A_BOLD, 0, NULL);
        }
    }
    return true;
}

/* Show rows of a padded panel in r: its title, the inner rows that hold
 * the named ones, its bottom; arrows on its right border when rows above
 * or below are not shown. */
static void show_padded(struct padded *p, struct view_rect r, bool utf8)
{
    if (p->pad == NULL || r.h < 2)
        return;
    int inner = r.h - 2;
    /* From the top when the named rows fit; else down to the last of
     * them, never past the first. */
    int off = p->last >= inner ? p->last - inner + 1 : 0;
    if (p->first >= 0 && p->first < off)
        off = p->first;
    if (off > p->content - inner)
        off = p->content - inner;
    if (off < 0)
        off = 0;
    int w = r.w < p->w ? r.w : p->w;
    copywin(p->pad, stdscr, 0, 0, r.y, r.x, r.y, r.x + w - 1, FALSE);
    if (inner > 0)
        copywin(p->pad, stdscr, 1 + off, 0, r.y + 1, r.x, r.y + inner, r.x + w - 1, FALSE);
    copywin(p->pad, stdscr, PAD_ROWS - 1, 0, r.y + r.h - 1, r.x, r.y + r.h - 1,
            r.x + w - 1, FALSE);
    /* Rows not shown: a mark on the right border, above and below. */
    if (off > 0 && inner > 0)
        mvaddstr(r.y + 1, r.x + w - 1, utf8 ? "\u2191" : "^");
    if (off + inner < p->content && inner > 0)
        mvaddstr(r.y + inner, r.x + w - 1, utf8 ? "\u2193" : "v");
}

/* The part of a small screen whose panels hold what the narration names
 * when it names no row: the panel its words name first. */
static int part_named(const struct screen *s)
{
    static const struct { const char *word; int page; } names[] = {
        { "pane", PG_PROGRAMS }, { "Object", PG_OBJECT }, { "page map", PG_OBJECT },
        { "state ", PG_OBJECT }, { "size ", PG_OBJECT },      /* the Object panel's rows */
        { "hex panel", PG_PAGE }, { "Frames", PG_PAGE }, { "Processes", PG_PROCS },
        { "Trace", PG_PROCS },
    };
    const struct tour *t = s->t;
    const char *text = NULL;

    if (t->phase == TP_READY && t->step < tour_nsteps) {
        text = tour_steps[t->step].watch;
    } else if (t->extra >= 0) {
        const struct tour_extra *x = &tour_extras[t->extra];
        if (t->phase == TP_X_DONE)
            text = x->done;
        else if (t->x_stop == 0)
            text = x->watch;
        else if (t->x_stop <= x->nholds)
            text = x->holds[t->x_stop - 1];
    }
    const char *best = NULL;
    int page = PG_PROGRAMS;
    for (size_t i = 0; text != NULL && i < sizeof names / sizeof names[0]; i++) {
        const char *at = strstr(text, names[i].word);
        if (at != NULL && (best == NULL || at < best)) {
            best = at;
            page = names[i].page;
        }
    }
    return page;
}

/* The standard part's panels into rows [y, y+h). */
static void part_at(struct screen *s, struct layout *l, int page, int y, int h, int W)
{
    switch (page) {
    case PG_PROGRAMS:
        panes_at(s->t, l, y, h, W);
        break;
    case PG_OBJECT:
        /* The object's lines are the longer. */
        add(l, SL_OBJ, 0, y, 0, h, W * 62 / 100);
        add(l, SL_MAP, 0, y, W * 62 / 100, h, W - W * 62 / 100);
        break;
    case PG_PAGE: {
        int hex = h - 5 > 8 ? h - 5 : h / 2;
        add(l, SL_HEX, 0, y, 0, hex, W < 80 ? W : 80);
        add(l, SL_FRAMES, 0, y + hex, 0, h - hex, W);
        break;
    }
    default: {
        int procs = h * 2 / 3;
        add(l, SL_PROCS, 0, y, 0, procs, W);
        add(l, SL_TRACE, 0, y + procs, 0, h - procs, W);
        break;
    }
    }
}

/* "this step": the panels the narration names, stacked, each given the
 * rows from its first named row to its last (and more when there is
 * room), the programs' panes below with what is left. */
static void step_at(struct screen *s, struct layout *l, int y, int h, int W)
{
    struct named_now nn = stop_named(s->t);
    static const enum slot_kind order[] = { SL_OBJ, SL_HEX, SL_FRAMES, SL_PROCS };
    bool want[TN_PARTS] = { false };
    int nwant = 0;

    for (int i = 0; nn.v != NULL && i < TOUR_MAX_NAMED; i++)
        if (nn.v[i].re != NULL && nn.v[i].part > TN_NONE && nn.v[i].part < TN_PARTS &&
            !want[nn.v[i].part]) {
            want[nn.v[i].part] = true;
            nwant++;
        }
    if (nwant == 0 || s->m == NULL) {
        part_at(s, l, part_named(s), y, h, W);
        return;
    }
    int need[4] = { 0 }, full[4] = { 0 }, sum = 0;
    for (int i = 0; i < 4; i++) {
        enum slot_kind k = order[i];
        if (!want[part_of(k)])
            continue;
        int pw = k == SL_OBJ ? W * 62 / 100 : k == SL_HEX && W > 80 ? 80 : W;
        struct padded p;
        if (!pad_panel(s, k, pw, &nn, &p))
            continue;
        full[i] = p.content + 2;
        /* The named rows, the row before them, the box. */
        need[i] = p.first >= 0 ? p.last - p.first + 1 + (p.first > 0) + 2 : 3;
        if (need[i] > full[i])
            need[i] = full[i];
        if (need[i] < 3)
            need[i] = 3;
        sum += need[i];
        delwin(p.pad);
    }
    int panes = want[TN_PANE] ? 5 : 0;
    int left = h - sum - panes;
    /* The room left: to the panels up to their whole, then the programs. */
    for (int i = 0; i < 4 && left > 0; i++) {
        if (need[i] == 0)
            continue;
        int more = full[i] - need[i] < left ? full[i] - need[i] : left;
        need[i] += more;
        left -= more;
    }
    if (left > 0 && !want[TN_PANE]) {
        for (int i = 3; i >= 0; i--)
            if (need[i] > 0) {
                need[i] += left;
                break;
            }
        left = 0;
    }
    for (int i = 0; i < 4; i++) {
        if (need[i] == 0)
            continue;
        int hh = need[i] < y + h - y ? need[i] : h;
        if (order[i] == SL_OBJ) {
            add(l, SL_OBJ, 0, y, 0, hh, W * 62 / 100);
            add(l, SL_MAP, 0, y, W * 62 / 100, hh, W - W * 62 / 100);
        } else {
            add(l, order[i], 0, y, 0, hh, order[i] == SL_HEX && W > 80 ? 80 : W);
        }
        y += hh;
        h -= hh;
    }
    if (want[TN_PANE] && h > 2)
        panes_at(s->t, l, y, h, W);
}

static void layout(struct screen *s, struct layout *l)
{
    const struct tour *t = s->t;
    int W = COLS, H = LINES - 1;        /* the last line is the status line */

    memset(l, 0, sizeof *l);
    /* The narration gets the rows its words need: "Watch:" is never cut. */
    int narr = narration_rows(s, W) + 2;
    if (narr > H - 6)
        narr = H - 6;
    l->narr = (struct view_rect){ 0, 0, narr, W };
    int y = narr, rest = H - narr;
    int obj_w = W * 52 / 100 < 44 ? 44 : W * 52 / 100;

    if (rest >= ALL_ROWS && W >= 110) {
        int obj = 10, hex = 8, procs = 6;
        int panes = rest - obj - hex - procs;
        int trace = panes >= 24 ? (panes - 16 < 12 ? panes - 16 : 12) : 0;
        panes -= trace;
        l->tabs_y = -1;
        add(l, SL_OBJ, 0, y, 0, obj, obj_w);
        add(l, SL_MAP, 0, y, obj_w, obj, W - obj_w);
        y += obj;
        add(l, SL_HEX, 0, y, 0, hex, 80);
        add(l, SL_FRAMES, 0, y, 80, hex, W - 80);
        y += hex;
        add(l, SL_PROCS, 0, y, 0, procs, W);
        y += procs;
        if (trace > 0) {
            add(l, SL_TRACE, 0, y, 0, trace, W);
            y += trace;
        }
        panes_at(t, l, y, panes, W);
        return;
    }
    l->tabs_y = y++;
    if (s->page == PG_STEP)
        step_at(s, l, y, rest - 1, W);
    else
        part_at(s, l, s->page, y, rest - 1, W);
}

static bool has_pane(const struct layout *l)
{
    for (int i = 0; i < l->n; i++)
        if (l->slot[i].kind == SL_PANE)
            return true;
    return false;
}

static void draw_tabs(struct screen *s, int y)
{
    int x = 0;

    move(y, 0);
    clrtoeol();
    for (int i = 0; i < PG_COUNT && x < COLS; i++) {
        char name[64];
        snprintf(name, sizeof name, " %s ", page_names[i]);
        attr_t a = i == s->page ? (A_REVERSE | A_BOLD) : A_NORMAL;
        attron(a);
        view_text(stdscr, y, x, COLS - x, name);
        attroff(a);
        x += (int)strlen(name) + 1;
    }
    if (x + 16 < COLS)
        view_text(stdscr, y, x, COLS - x, "(Tab: next part)");
}

/* A labelled paragraph: the label in its column, the text wrapped beside
 * it.  Returns the next free line. */
static int labelled(WINDOW *w, struct view_rect in, int y, const char *label,
                    const char *text, attr_t a)
{
    int lw = (int)strlen(label);
    if (y >= in.y + in.h || text == NULL || text[0] == '\0')
        return y;
    wattron(w, A_BOLD);
    view_text(w, y, in.x, lw, label);
    wattroff(w, A_BOLD);
    wattron(w, a);
    struct view_rect r = { in.y, in.x + lw, in.h, in.w - lw };
    y = view_wrap(w, r, y, text);
    wattroff(w, a);
    return y;
}

static const char *sep(const struct screen *s)
{
    return s->utf8 ? " \u00b7 " : " - ";
}

/* The narration into r of w; returns the rows its text took. */
static int draw_narration(struct screen *s, WINDOW *w, struct view_rect r)
{
    struct tour *t = s->t;
    char title[512], line[600];
    attr_t warn = view_attr(&s->vs, ROLE_WARN), good = view_attr(&s->vs, ROLE_GOOD);

    switch (t->phase) {
    case TP_READY:
    case TP_BUSY:
        if (t->step < tour_nsteps)
            snprintf(title, sizeof title, "Step %d of %d%s%s", t->step + 1, tour_nsteps,
                     sep(s), tour_steps[t->step].title);
        else
            snprintf(title, sizeof title, "The walkthrough");
        break;
    case TP_MENU:
        snprintf(title, sizeof title, "The walkthrough is done%sfurther programs", sep(s));
        break;
    case TP_X_READY: case TP_X_BUSY: case TP_X_DONE:
        snprintf(title, sizeof title, "%s%s%s", tour_extras[t->extra].prog, sep(s),
                 tour_extras[t->extra].menu);
        break;
    default:
        snprintf(title, sizeof title, "The tour has stopped");
        break;
    }
    struct view_rect in = view_box(w, r, title, true, &s->vs);
    if (in.h < 1)
        return 0;
    int y = in.y;

    if (t->phase == TP_READY || t->phase == TP_BUSY) {
        if (t->step >= tour_nsteps)
            return 0;
        const struct tour_step *st = &tour_steps[t->step];
        const char *state = t->phase == TP_BUSY ? (t->replay_to >= 0 ? "replaying the steps before it..."
                                                                     : "running...")
                          : "waits: Space runs it";
        snprintf(line, sizeof line, "%s (%s)%sbefore %s%s%s", st->prog,
                 tour_pane_title(st->pane), sep(s),
                 strcmp(st->at, "hold") == 0 ? "its hold" : st->at, sep(s), state);
        wattron(w, A_BOLD);
        view_text(w, y++, in.x, in.w, line);
        wattroff(w, A_BOLD);
        if (t->step > 0 && t->done == t->step)
            y = labelled(w, in, y, "Done:  ", tour_steps[t->step - 1].seen, good);
        y = labelled(w, in, y, "Next:  ", st->what, A_NORMAL);
        y = labelled(w, in, y, "Watch: ", st->watch, warn);
        return y - in.y;
    }
    if (t->phase == TP_MENU) {
        y = labelled(w, in, y, "", "The walkthrough ran to its end and /dev/shm is as it was. "
                     "Each further program makes one more fact happen; the viewer follows "
                     "its object.", good);
        for (int i = 0; i < tour_nextras && y < in.y + in.h - 1; i++) {
            snprintf(line, sizeof line, "%s %c  %-16s %s", i == t->sel ? ">" : " ",
                     TOUR_EXTRA_KEYS[i], tour_extras[i].prog, tour_extras[i].menu);
            if (i == t->sel)
                wattron(w, A_REVERSE);
            view_text(w, y++, in.x, in.w, line);
            if (i == t->sel)
                wattroff(w, A_REVERSE);
        }
        wattron(w, warn);
        view_text(w, in.y + in.h - 1, in.x, in.w,
                  "Arrows and Enter choose (or 6-9, 0-3 for 10-13); b goes back into "
                  "the walkthrough; q quits.");
        wattroff(w, warn);
        return y + 1 - in.y;
    }
    if (t->phase == TP_FAILED) {
        y = labelled(w, in, y, "Why:   ", t->problem, view_attr(&s->vs, ROLE_BAD));
        y = labelled(w, in, y, "Keys:  ", "b runs the tour again up to this step; q quits (and "
                     "removes everything).", A_NORMAL);
        return y - in.y;
    }
    const struct tour_extra *x = &tour_extras[t->extra];
    if (t->phase == TP_X_READY && t->x_stop == 0) {
        y = labelled(w, in, y, "What:  ", x->intro, A_NORMAL);
        y = labelled(w, in, y, "Watch: ", x->watch, warn);
        y = labelled(w, in, y, "", "Space starts it.", A_BOLD);
    } else if (t->phase == TP_X_DONE) {
        y = labelled(w, in, y, "Done:  ", x->done, good);
        y = labelled(w, in, y, "", "Space: back to the list.  b: run it again to its last "
                     "hold.", A_BOLD);
    } else {
        if (t->x_stop >= 1) {
            snprintf(line, sizeof line, "Hold %d of %d: ", t->x_stop, x->nholds);
            y = labelled(w, in, y, line, t->x_stop <= x->nholds ? x->holds[t->x_stop - 1]
                                                             : "it holds", good);
        }
        y = labelled(w, in, y, "Now:   ", t->live[0] ? t->live : "starting...", A_NORMAL);
        y = labelled(w, in, y, "", t->phase == TP_X_BUSY ? "running..."
                     : "Space lets it go on.", A_BOLD);
    }
    return y - in.y;
}

/* The rows the narration needs at width w: drawn once off the screen. */
static int narration_rows(struct screen *s, int w)
{
    WINDOW *pad = newpad(64, w);
    if (pad == NULL)
        return 7;
    int rows = draw_narration(s, pad, (struct view_rect){ 0, 0, 64, w });
    delwin(pad);
    return rows < 3 ? 3 : rows;
}

static attr_t line_attr(const struct screen *s, const char *l)
{
    if (l[0] == '$')
        return A_BOLD;
    if (strncmp(l, "  next:", 7) == 0 || strncmp(l, "[hold]", 6) == 0 ||
        strstr(l, "expected:") != NULL)
        return view_attr(&s->vs, ROLE_WARN);
    if (strstr(l, ": error:") != NULL || strstr(l, ": next:") != NULL)
        return view_attr(&s->vs, ROLE_BAD);
    return A_NORMAL;
}

static void draw_pane(struct screen *s, int i, struct view_rect r)
{
    struct tour *t = s->t;
    struct tour_pane *p = &t->pane[i];
    char title[192], clean[LINEBUF_SIZE * 2];

    if (t->extra >= 0)
        snprintf(title, sizeof title, "%s and the processes it starts",
                 tour_extras[t->extra].prog);
    else
        snprintf(title, sizeof title, "%s%s%s%s", tour_pane_title(i), p->shown[0] ? ": " : "",
                 p->shown, p->shown[0] && (!p->prog[0] || p->exited) ? " (ended)" : "");
    /* Scrolled back: the rows the output has, so that PgUp stops at its
     * first line. */
    struct named_now nn = stop_named(t);
    int total = 0, inner_w = r.w - 2, found_end = -1;
    if (inner_w >= 1) {
        for (int k = 0; k < p->out.n; k++) {
            describe_clean(clean, sizeof clean, tour_line_at(&p->out, k));
            total += tf_rows(clean, inner_w, s->utf8);
            if (found_end < 0 && named_in(&nn, TN_PANE, i, clean))
                found_end = total;
        }
    }
    int most = total - (r.h - 2) > 0 ? total - (r.h - 2) : 0;
    int back = s->back;
    /* The named line leads, a row below the pane's top, until the student
     * scrolls. */
    if (!s->scrolled && found_end >= 0) {
        int first = found_end;
        if (inner_w >= 1) {
            for (int k = 0; k < p->out.n; k++) {
                describe_clean(clean, sizeof clean, tour_line_at(&p->out, k));
                if (named_in(&nn, TN_PANE, i, clean)) {
                    int rows = tf_rows(clean, inner_w, s->utf8);
                    first = found_end - rows;
                    break;
                }
            }
        }
        back = total - first - (r.h - 2) + 1;
        if (back < 0)
            back = 0;
    }
    if (back > most)
        back = most;
    s->shown_back = back;
    if (back > 0) {
        size_t l = strlen(title);
        snprintf(title + l, sizeof title - l, " [%d rows back: PgDn]", back);
    }
    struct view_rect in = view_box(stdscr, r, title, false, &s->vs);
    if (in.h < 1 || in.w < 1)
        return;
    /* The newest lines, wrapped, bottom up (back rows below the pane). */
    int y = in.y + in.h + back;
    for (int k = p->out.n - 1; k >= 0 && y > in.y; k--) {
        describe_clean(clean, sizeof clean, tour_line_at(&p->out, k));
        int rows = tf_rows(clean, in.w, s->utf8);
        int top = y - rows;
        const char *c = clean;
        attr_t a = named_in(&nn, TN_PANE, i, clean) ? (A_REVERSE | A_BOLD)
                                                    : line_attr(s, clean);
        attron(a);
        for (int row = 0; row < rows; row++) {
            size_t skip;
            bool split;
            size_t n = tf_row(c, in.w, s->utf8, &skip, &split);
            if (top + row >= in.y && top + row < in.y + in.h) {
                char part[LINEBUF_SIZE * 2 + 8];
                memcpy(part, c, n);
                part[n] = '\0';
                if (split)
                    strcat(part, s->utf8 ? TF_SPLIT_UTF8 : TF_SPLIT_ASCII);
                view_text(stdscr, top + row, in.x, in.w, part);
            }
            c += n + skip;
        }
        attroff(a);
        y = top;
    }
}

static const char *help_lines[] = {
    "The guided tour: keys",
    "  Space, Enter   run the step shown (the programs wait before each call)",
    "  b              back one step: the programs run again from 01-create up",
    "                 to the step before, so that Space shows it once more",
    "  a              play by itself: each stop stays --delay (2.5 s) and",
    "                 then 0.3 s a word of its narration; a again stops",
    "  +, -           less or more reading time a word (a third less, or",
    "                 half as much again; 0.04 s to 3 s), playing or not",
    "  Tab, Shift-Tab the next, the previous part of a screen too small for",
    "                 every panel: this step, programs, object, page and",
    "                 frames, processes and trace.  Each stop opens on",
    "                 this step: the panels and output its narration names,",
    "                 scrolled to the rows it names, marked",
    "  PgUp, PgDn     scroll the programs' output of this step (a line the",
    "                 narration names comes into view by itself, marked)",
    "  q              quit: the programs are stopped, the object is removed",
    "  ?              this help",
    "The programs run with --step; the tour presses Enter for them and",
    "follows them through their trace.  The panels are mmapview's (the tour",
    "is left out of their counts).  Any key closes this help.",
};

static void draw_help(struct screen *s)
{
    int n = (int)(sizeof help_lines / sizeof help_lines[0]);
    int w = 78 < COLS ? 78 : COLS, h = n + 2 < LINES - 1 ? n + 2 : LINES - 1;
    struct view_rect r = { (LINES - 1 - h) / 2, (COLS - w) / 2, h, w };

    for (int y = 0; y < r.h; y++)
        mvhline(r.y + y, r.x, ' ', r.w);
    struct view_rect in = view_box(stdscr, r, "Help", true, &s->vs);
    for (int i = 0; i < n && i < in.h; i++)
        view_text(stdscr, in.y + i, in.x, in.w, help_lines[i]);
}

static void draw_status(struct screen *s)
{
    struct tour *t = s->t;
    char left[300], right[400];
    int y = LINES - 1;

    move(y, 0);
    clrtoeol();
    if (s->note[0]) {
        snprintf(left, sizeof left, "%s", s->note);
    } else {
        switch (t->phase) {
        case TP_MENU:
            snprintf(left, sizeof left, "Enter choose  b back  q quit  ? help");
            break;
        case TP_FAILED:
            snprintf(left, sizeof left, "b again  q quit  ? help");
            break;
        default:
            snprintf(left, sizeof left, "Space next  b back  a %s  q quit  ? help",
                     s->autoplay ? "stop playing" : "play");
            break;
        }
    }
    char where[64] = "";
    if (t->phase == TP_READY || t->phase == TP_BUSY)
        snprintf(where, sizeof where, "step %d/%d ", t->step + 1, tour_nsteps);
    snprintf(right, sizeof right, "%s%s%s ", s->autoplay ? "PLAYING " : "", where, t->name);
    view_status(stdscr, y, left, right, s->note_bad, &s->vs);
}

static void draw_small(void)
{
    char a[128], b[160];
    struct view_rect r = { 0, 0, LINES, COLS };

    snprintf(a, sizeof a, "The tour needs at least %dx%d;", TOUR_MIN_W, TOUR_MIN_H);
    snprintf(b, sizeof b, "this terminal is %dx%d. Make it larger (the programs wait; q quits).",
             COLS, LINES);
    int y = LINES / 2 - 1 > 0 ? LINES / 2 - 1 : 0;
    y = view_wrap(stdscr, r, y, a);
    view_wrap(stdscr, r, y, b);
}

static void draw(struct screen *s)
{
    erase();
    s->small = COLS < TOUR_MIN_W || LINES < TOUR_MIN_H;
    if (s->small) {
        draw_small();
    } else {
        struct layout l;
        layout(s, &l);
        draw_narration(s, stdscr, l.narr);
        if (l.tabs_y >= 0)
            draw_tabs(s, l.tabs_y);
        struct named_now nn = stop_named(s->t);
        s->pane_shown = has_pane(&l);
        for (int i = 0; i < l.n; i++) {
            struct slot *sl = &l.slot[i];
            if (sl->kind == SL_PANE) {
                draw_pane(s, sl->pane, sl->r);
            } else if (s->m == NULL) {
                continue;
            } else if (sl->kind == SL_MAP || sl->kind == SL_TRACE) {
                draw_panel(s, stdscr, sl->kind, sl->r);
            } else {
                struct padded p;
                if (pad_panel(s, sl->kind, sl->r.w, &nn, &p)) {
                    show_padded(&p, sl->r, s->utf8);
                    delwin(p.pad);
                }
            }
        }
        if (s->help)
            draw_help(s);
        draw_status(s);
    }
    wnoutrefresh(stdscr);
    doupdate();
}

/* ---- keys -------------------------------------------------------------------- */

static void say(struct screen *s, bool bad, const char *msg)
{
    snprintf(s->note, sizeof s->note, "%s", msg);
    s->note_bad = bad;
}

static void menu_key(struct screen *s, int ch)
{
    struct tour *t = s->t;
    const char *keys = TOUR_EXTRA_KEYS;
    const char *k = ch > 0 && ch < 256 ? strchr(keys, ch) : NULL;

    if (k != NULL) {
        tour_choose(t, (int)(k - keys));
        return;
    }
    switch (ch) {
    case KEY_UP: case 'k':
        t->sel = (t->sel + tour_nextras - 1) % tour_nextras;
        break;
    case KEY_DOWN: case 'j':
        t->sel = (t->sel + 1) % tour_nextras;
        break;
    case ' ': case '\n': case '\r': case KEY_ENTER: case KEY_RIGHT:
        tour_choose(t, t->sel);
        break;
    default:
        break;
    }
}

static void key(struct screen *s, int ch)
{
    struct tour *t = s->t;
    char why[256];

    if (ch == KEY_RESIZE)
        return;
    s->note[0] = '\0';
    s->note_bad = false;
    if (s->help) {
        s->help = false;
        if (ch != 'q' && ch != 'Q')
            return;
    }
    switch (ch) {
    case 'q': case 'Q':
        s->quit = true;
        return;
    case '?': case KEY_F(1):
        s->help = true;
        return;
    case 12:                                   /* Ctrl-L */
        clearok(curscr, TRUE);
        return;
    case 'a': case 'A':
        s->autoplay = !s->autoplay;
        s->auto_at = 0;
        snprintf(why, sizeof why, s->autoplay ? "playing by itself: %.1f s and %.2f s a word "
                 "of the narration; + faster, - slower, a stops" : "stopped playing: Space "
                 "for the next step", s->delay_ms / 1000.0, s->pace / 1000.0);
        say(s, false, why);
        return;
    case '+': case '=': case '-': case '_':
        s->pace = ch == '+' || ch == '=' ? s->pace / 1.5 : s->pace * 1.5;
        if (s->pace < PACE_MIN_MS)
            s->pace = PACE_MIN_MS;
        if (s->pace > PACE_MAX_MS)
            s->pace = PACE_MAX_MS;
        s->auto_at = 0;
        snprintf(why, sizeof why, "reading time: %.2f s a word of the narration, after %.1f s",
                 s->pace / 1000.0, s->delay_ms / 1000.0);
        say(s, false, why);
        return;
    case '\t':
        s->page = (s->page + 1) % PG_COUNT;
        return;
    case KEY_BTAB:
        s->page = (s->page + PG_COUNT - 1) % PG_COUNT;
        return;
    case KEY_PPAGE:
        s->scrolled = true;
        s->back = s->shown_back + (LINES / 4 > 1 ? LINES / 4 : 1);
        if (!s->pane_shown)
            s->page = PG_PROGRAMS;
        return;
    case KEY_NPAGE:
        s->scrolled = true;
        s->back = s->shown_back - (LINES / 4 > 1 ? LINES / 4 : 1);
        if (s->back < 0)
            s->back = 0;
        return;
    case 'b': case 'B':
        s->auto_at = 0;
        if (!tour_back(t, why, sizeof why))
            say(s, false, why);
        return;
    default:
        break;
    }
    if (t->phase == TP_MENU) {
        menu_key(s, ch);
        return;
    }
    if (ch == ' ' || ch == '\n' || ch == '\r' || ch == KEY_ENTER || ch == KEY_RIGHT) {
        s->auto_at = 0;
        if (!tour_go(t))
            say(s, false, t->phase == TP_FAILED ? "the tour has stopped: b runs it again, "
                "q quits" : "a moment: a program is running");
    }
}

/* ---- the loop ------------------------------------------------------------------- */

static int words(const char *text)
{
    int n = 0;
    bool in = false;

    for (; text != NULL && *text; text++) {
        bool sp = *text == ' ' || *text == '\n';
        if (!sp && !in)
            n++;
        in = !sp;
    }
    return n;
}

/* The words the narration shows now: what reading it takes. */
static int narration_words(const struct screen *s)
{
    const struct tour *t = s->t;

    if (t->phase == TP_READY && t->step < tour_nsteps) {
        const struct tour_step *st = &tour_steps[t->step];
        return words(st->what) + words(st->watch) +
               (t->step > 0 ? words(tour_steps[t->step - 1].seen) : 0);
    }
    if (t->extra < 0)
        return 0;
    const struct tour_extra *x = &tour_extras[t->extra];
    if (t->phase == TP_X_DONE)
        return words(x->done);
    if (t->x_stop == 0)
        return words(x->intro) + words(x->watch);
    return t->x_stop <= x->nholds ? words(x->holds[t->x_stop - 1]) : 0;
}

static void autoplay(struct screen *s)
{
    struct tour *t = s->t;
    bool can = t->phase == TP_READY || t->phase == TP_X_READY || t->phase == TP_X_DONE;

    if (!s->autoplay || s->small || s->help || !can || t->njobs > 0 || t->replay_to >= 0) {
        s->auto_at = 0;
        return;
    }
    double now = mv_now_ms();
    if (s->auto_at == 0) {
        s->auto_at = now + s->delay_ms + s->pace * narration_words(s);
    } else if (now >= s->auto_at) {
        s->auto_at = 0;
        tour_go(t);
    }
}

/* A new stop of the tour: the panels must show it now, not in half a second. */
static void sample_on_change(struct screen *s)
{
    struct tour *t = s->t;

    if (t->replay_to >= 0 || t->x_replay_to >= 0)
        return;
    if ((int)t->phase == s->seen_phase && t->step == s->seen_step &&
        t->x_stop == s->seen_x && t->extra == s->seen_extra)
        return;
    s->seen_phase = (int)t->phase;
    s->seen_step = t->step;
    s->seen_x = t->x_stop;
    s->seen_extra = t->extra;
    s->back = 0;                 /* a new stop: its newest output */
    s->scrolled = false;
    s->page = PG_STEP;
    if (t->phase != TP_BUSY && t->phase != TP_X_BUSY)
        sample(s, MV_FAST | MV_SLOW);
}

int tour_screen_run(struct tour *t, int extra, bool color, int delay_ms)
{
    static struct screen s;
    struct pollfd p[8];

    setlocale(LC_ALL, "");
    memset(&s, 0, sizeof s);
    s.t = t;
    s.delay_ms = delay_ms;
    s.pace = PACE_MS;
    s.seen_phase = -1;
    s.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
    t->face = &s;
    t->hooks.follow = on_follow;

    const char *term = getenv("TERM");
    if (term == NULL || term[0] == '\0' || strcmp(term, "dumb") == 0)
        return TOUR_NO_SCREEN;
    s.color = color;
    SCREEN *scr = fullscreen_open(&s.color);
    if (scr == NULL)
        return TOUR_NO_SCREEN;
    view_init(&s.vs, s.color, s.utf8);
    s.vs.focus = VIEW_PANELS;            /* nothing to move between: no focus */

    int status = 0;
    if (tour_begin(t, extra) == -1)
        status = 1;
    while (!wake_signal && !s.quit) {
        double now = mv_now_ms();
        if (now >= s.next_fast)
            sample(&s, now >= s.next_slow ? MV_FAST | MV_SLOW : MV_FAST);
        sample_on_change(&s);
        autoplay(&s);
        draw(&s);

        int n = 0;
        p[n++] = (struct pollfd){ STDIN_FILENO, POLLIN, 0 };
        if (wake_fd() >= 0)
            p[n++] = (struct pollfd){ wake_fd(), POLLIN, 0 };
        n += tour_fds(t, p + n, 8 - n);
        int wait = (int)(s.next_fast - mv_now_ms());
        int tw = tour_wait_ms(t);
        if (tw >= 0 && tw < wait)
            wait = tw;
        if (s.auto_at > 0 && s.auto_at - mv_now_ms() < wait)
            wait = (int)(s.auto_at - mv_now_ms());
        if (wait < 0)
            wait = 0;
        /* The terminal went away: a hangup, whether or not SIGHUP has come
         * yet, and ended like one. */
        if (poll(p, (nfds_t)n, wait) > 0 && (p[0].revents & (POLLHUP | POLLERR | POLLNVAL)))
            wake_stop(SIGHUP);
        wake_drain();
        tour_pump(t);
        int ch;
        while (!wake_signal && !s.quit && (ch = getch()) != ERR)
            key(&s, ch);
    }
    if (t->failed_before)
        status = 1;
    /* The programs stop before the screen goes, so that a slow stop still
     * shows the tour. */
    tour_stop_all(t);
    mv_model_free(s.m);
    s.m = NULL;
    fullscreen_close(scr);
    return status;
}
