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

#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TOUR_MIN_W 80
#define TOUR_MIN_H 32
#define FAST_MS 500
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
    int delay_ms;
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

struct layout {
    struct view_rect narr, obj, map, hex, frames, procs, trace, pane[PANES];
    bool frames_on, one_pane, trace_on;
};

static void layout(const struct screen *s, struct layout *l)
{
    const struct tour *t = s->t;
    int W = COLS, H = LINES - 1;        /* the last line is the status line */
    int narr = 7, obj = 7, hex = 6, procs = 5, panes;
    int want = t->phase == TP_MENU ? tour_nextras + 5 : 9;
    int spare = H - (narr + obj + hex + procs + 6);

    memset(l, 0, sizeof *l);
    int add = spare < want - narr ? spare : want - narr;
    if (add > 0) { narr += add; spare -= add; }
    if (spare > 0) { hex++; spare--; }
    if (spare > 0) { procs++; spare--; }
    /* A further program's output has the whole width and needs fewer
     * rows; its page has more to show (06-inherit's reply at 0x80). */
    if (t->extra >= 0 && spare > 2) { hex++; spare--; }
    if (spare > 8) { obj += 2; spare -= 2; }     /* the owner and backing lines */
    panes = H - narr - obj - hex - procs;
    /* A tall terminal has room for the trace too, once the panes have
     * enough. */
    int trace = panes >= 20 ? (panes - 14 < 12 ? panes - 14 : 12) : 0;
    panes -= trace;

    int y = 0;
    l->narr = (struct view_rect){ y, 0, narr, W };
    y += narr;
    int obj_w = W * 52 / 100 < 44 ? 44 : W * 52 / 100;
    l->obj = (struct view_rect){ y, 0, obj, obj_w };
    l->map = (struct view_rect){ y, obj_w, obj, W - obj_w };
    y += obj;
    l->frames_on = W >= 80 + 30;
    l->hex = (struct view_rect){ y, 0, hex, l->frames_on ? 80 : W };
    if (l->frames_on)
        l->frames = (struct view_rect){ y, 80, hex, W - 80 };
    y += hex;
    l->procs = (struct view_rect){ y, 0, procs, W };
    y += procs;
    l->trace_on = trace > 0;
    if (l->trace_on) {
        l->trace = (struct view_rect){ y, 0, trace, W };
        y += trace;
    }
    l->one_pane = t->extra >= 0;
    if (l->one_pane) {
        l->pane[PANE_FIRST] = (struct view_rect){ y, 0, panes, W };
    } else {
        l->pane[PANE_FIRST] = (struct view_rect){ y, 0, panes, W / 2 };
        l->pane[PANE_SECOND] = (struct view_rect){ y, W / 2, panes, W - W / 2 };
    }
}

/* A labelled paragraph: the label in its column, the text wrapped beside
 * it.  Returns the next free line. */
static int labelled(struct view_rect in, int y, const char *label, const char *text,
                    attr_t a)
{
    int lw = (int)strlen(label);
    if (y >= in.y + in.h || text == NULL || text[0] == '\0')
        return y;
    attron(A_BOLD);
    view_text(stdscr, y, in.x, lw, label);
    attroff(A_BOLD);
    attron(a);
    struct view_rect r = { in.y, in.x + lw, in.h, in.w - lw };
    y = view_wrap(stdscr, r, y, text);
    attroff(a);
    return y;
}

static const char *sep(const struct screen *s)
{
    return s->utf8 ? " \u00b7 " : " - ";
}

static void draw_narration(struct screen *s, struct view_rect r)
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
    struct view_rect in = view_box(stdscr, r, title, true, &s->vs);
    if (in.h < 1)
        return;
    int y = in.y;

    if (t->phase == TP_READY || t->phase == TP_BUSY) {
        if (t->step >= tour_nsteps)
            return;
        const struct tour_step *st = &tour_steps[t->step];
        const char *state = t->phase == TP_BUSY ? (t->replay_to >= 0 ? "replaying the steps before it..."
                                                                     : "running...")
                          : "waits: Space runs it";
        snprintf(line, sizeof line, "%s (%s)%sbefore %s%s%s", st->prog,
                 tour_pane_title(st->pane), sep(s),
                 strcmp(st->at, "hold") == 0 ? "its hold" : st->at, sep(s), state);
        attron(A_BOLD);
        view_text(stdscr, y++, in.x, in.w, line);
        attroff(A_BOLD);
        if (t->step > 0 && t->done == t->step)
            y = labelled(in, y, "Done:  ", tour_steps[t->step - 1].seen, good);
        y = labelled(in, y, "Next:  ", st->what, A_NORMAL);
        labelled(in, y, "Watch: ", st->watch, warn);
        return;
    }
    if (t->phase == TP_MENU) {
        y = labelled(in, y, "", "The walkthrough ran to its end and /dev/shm is as it was. "
                     "Each further program makes one more fact happen; the viewer follows "
                     "its object.", good);
        for (int i = 0; i < tour_nextras && y < in.y + in.h - 1; i++) {
            snprintf(line, sizeof line, "%s %c  %-16s %s", i == t->sel ? ">" : " ",
                     "678901"[i], tour_extras[i].prog, tour_extras[i].menu);
            if (i == t->sel)
                attron(A_REVERSE);
            view_text(stdscr, y++, in.x, in.w, line);
            if (i == t->sel)
                attroff(A_REVERSE);
        }
        attron(warn);
        view_text(stdscr, in.y + in.h - 1, in.x, in.w,
                  "Arrows and Enter choose (or 6-9, 0 for 10, 1 for 11); b goes back into "
                  "the walkthrough; q quits.");
        attroff(warn);
        return;
    }
    if (t->phase == TP_FAILED) {
        y = labelled(in, y, "Why:   ", t->problem, view_attr(&s->vs, ROLE_BAD));
        labelled(in, y, "Keys:  ", "b runs the tour again up to this step; q quits (and "
                 "removes everything).", A_NORMAL);
        return;
    }
    const struct tour_extra *x = &tour_extras[t->extra];
    if (t->phase == TP_X_READY && t->x_stop == 0) {
        y = labelled(in, y, "What:  ", x->intro, A_NORMAL);
        y = labelled(in, y, "Watch: ", x->watch, warn);
        labelled(in, y, "", "Space starts it.", A_BOLD);
    } else if (t->phase == TP_X_DONE) {
        y = labelled(in, y, "Done:  ", x->done, good);
        labelled(in, y, "", "Space: back to the list.  b: run it again to its last hold.",
                 A_BOLD);
    } else {
        if (t->x_stop >= 1) {
            snprintf(line, sizeof line, "Hold %d of %d: ", t->x_stop, x->nholds);
            y = labelled(in, y, line, t->x_stop <= x->nholds ? x->holds[t->x_stop - 1]
                                                             : "it holds", good);
        }
        y = labelled(in, y, "Now:   ", t->live[0] ? t->live : "starting...", A_NORMAL);
        labelled(in, y, "", t->phase == TP_X_BUSY ? "running..." : "Space lets it go on.",
                 A_BOLD);
    }
}

/* Bytes of s that fit in w columns, a UTF-8 character taking one. */
static size_t cut_cols(const char *s, int w, bool utf8)
{
    size_t i = 0;
    int c = 0;

    while (s[i] && c < w) {
        i++;
        if (utf8)
            while ((s[i] & 0xC0) == 0x80)
                i++;
        c++;
    }
    return i;
}

/* The bytes of s that go on a row of w columns, breaking after a word when
 * one ends late enough in the row; *skip is the space after the break. */
static size_t row_bytes(const char *s, int w, bool utf8, size_t *skip)
{
    size_t n = cut_cols(s, w, utf8), b = n;

    *skip = 0;
    if (s[n] == '\0')
        return n;
    while (b > 0 && s[b] != ' ')
        b--;
    if (b > n / 3) {
        *skip = 1;
        return b;
    }
    return n;
}

static int rows_of(const char *s, int w, bool utf8)
{
    int n = 0;
    size_t skip;

    do {
        s += row_bytes(s, w, utf8, &skip);
        s += skip;
        n++;
    } while (*s);
    return n;
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
    char title[128], clean[LINEBUF_SIZE * 2];

    if (t->extra >= 0)
        snprintf(title, sizeof title, "%s and the processes it starts",
                 tour_extras[t->extra].prog);
    else
        snprintf(title, sizeof title, "%s%s%s%s", tour_pane_title(i), p->shown[0] ? ": " : "",
                 p->shown, p->shown[0] && (!p->prog[0] || p->exited) ? " (ended)" : "");
    struct view_rect in = view_box(stdscr, r, title, false, &s->vs);
    if (in.h < 1 || in.w < 1)
        return;
    /* The newest lines, wrapped, bottom up. */
    int y = in.y + in.h;
    for (int k = p->out.n - 1; k >= 0 && y > in.y; k--) {
        describe_clean(clean, sizeof clean, tour_line_at(&p->out, k));
        int rows = rows_of(clean, in.w, s->utf8);
        int top = y - rows;
        const char *c = clean;
        attr_t a = line_attr(s, clean);
        attron(a);
        for (int row = 0; row < rows; row++) {
            size_t skip, n = row_bytes(c, in.w, s->utf8, &skip);
            if (top + row >= in.y) {
                char part[LINEBUF_SIZE * 2];
                memcpy(part, c, n);
                part[n] = '\0';
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
    "",
    "  Space, Enter   run the step shown (the programs wait before each call)",
    "  b              back one step: the programs run again from 01-create up",
    "                 to the step before, so that Space shows it once more",
    "  a              play by itself, a step every few seconds; a again stops",
    "  q              quit: the programs are stopped, the object is removed",
    "  ?              this help",
    "",
    "The programs run with --step and the tour presses Enter for them; it",
    "knows where each one is from the hold events of the trace it gives",
    "them (--trace).  The panels are mmapview's, on the tour's object; the",
    "tour is left out of their counts, as a viewer.",
    "",
    "Any key closes this help.",
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
        draw_narration(s, l.narr);
        if (s->m != NULL) {
            const struct mv_snapshot *snap = mv_model_snapshot(s->m);
            view_object(stdscr, l.obj, snap, &s->vs);
            view_map(stdscr, l.map, snap, &s->vs);
            view_hex(stdscr, l.hex, snap, &s->vs);
            if (l.frames_on)
                view_frames(stdscr, l.frames, snap, &s->vs);
            view_procs(stdscr, l.procs, snap, &s->vs);
            if (l.trace_on)
                view_trace(stdscr, l.trace, snap, &s->vs);
        }
        draw_pane(s, PANE_FIRST, l.pane[PANE_FIRST]);
        if (!l.one_pane)
            draw_pane(s, PANE_SECOND, l.pane[PANE_SECOND]);
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
    const char *keys = "678901";
    const char *k = ch > 0 && ch < 256 ? strchr(keys, ch) : NULL;

    if (k != NULL) {
        tour_choose(t, (int)(k - keys));
        return;
    }
    switch (ch) {
    case KEY_UP: case 'k':
        t->sel = (t->sel + tour_nextras - 1) % tour_nextras;
        break;
    case KEY_DOWN: case 'j': case '\t':
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
        snprintf(why, sizeof why, s->autoplay ? "playing by itself: a step every %.1f s; "
                 "a stops it" : "stopped playing: Space for the next step",
                 s->delay_ms / 1000.0);
        say(s, false, why);
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
        s->auto_at = now + s->delay_ms;
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
