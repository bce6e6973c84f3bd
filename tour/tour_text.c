/* tour_text.c — the tour as narrated text: for a pipe, a log, CI.
 *
 * The same script as the screen, step by step, with no keys: each step
 * says what is about to happen and what to watch, the tour presses Enter
 * for the program, the program's output follows (tagged [first ] or
 * [second]), then what is to be seen now, and at the interesting steps an
 * `mmapview --once` snapshot of the object stands in for the panels.
 */
#include "tour_text.h"
#include "clock.h"
#include "wake.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define WIDTH 78

struct text {
    const char *viewer;
    char target[4400];
    bool file;
    bool viewer_ok;
};

/* Output that cannot be written (a closed pipe: `make demo | head`) ends
 * the tour as SIGPIPE would, once it has cleaned up. */
static void check_out(void)
{
    if (fflush(stdout) == EOF || ferror(stdout)) {
        wake_stop(SIGPIPE);
    }
}

/* label, then text wrapped at WIDTH with the label's width of indent. */
static void para(const char *label, const char *text)
{
    size_t ind = strlen(label), w = WIDTH - ind;
    const char *p = text;
    bool first = true;

    while (*p) {
        size_t n = strlen(p);
        if (n > w) {
            n = w;
            while (n > 0 && p[n] != ' ')
                n--;
            if (n == 0)
                n = w;
        }
        printf("%-*s%.*s\n", (int)ind, first ? label : "", (int)n, p);
        first = false;
        p += n;
        while (*p == ' ')
            p++;
    }
}

static void snapshot(struct tour *t, struct text *x)
{
    char *argv[8];
    int n = 0;

    if (!x->viewer_ok)
        return;
    argv[n++] = (char *)x->viewer;
    argv[n++] = "--once";
    argv[n++] = "--no-color";
    argv[n++] = "--trace";
    argv[n++] = t->trace_path;
    if (x->file)
        argv[n++] = "--file";
    argv[n++] = x->target;
    argv[n] = NULL;
    printf("\n---- mmapview --once %s ----\n", x->target);
    fflush(stdout);
    int st = tour_run_wait(argv, 20000);
    if (st == -1)
        printf("(mmapview could not be run: %s)\n", strerror(errno));
    printf("----\n");
    check_out();
}

static void on_line(struct tour *t, int pane, const char *line)
{
    if (t->replay_to >= 0)
        return;                 /* the steps before --from: not narrated */
    if (t->extra >= 0)
        printf("[%.2s] %s\n", tour_extras[t->extra].prog, line);
    else
        printf("%s %s\n", pane == PANE_FIRST ? "[first ]" : "[second]", line);
    check_out();
}

static void on_step_done(struct tour *t, int k)
{
    struct text *x = t->face;
    const struct tour_step *s = &tour_steps[k];

    printf("\n");
    para("Now:   ", s->seen);
    if (s->look)
        snapshot(t, x);
    check_out();
}

static void on_extra_stop(struct tour *t, int hold)
{
    struct text *x = t->face;
    const struct tour_extra *e = &tour_extras[t->extra];

    printf("\n");
    if (hold == 0) {
        para("Now:   ", e->done);
    } else {
        char label[32];
        snprintf(label, sizeof label, "Hold %d: ", hold);
        para(label, hold <= e->nholds ? e->holds[hold - 1]
                                      : "It holds; Enter lets it go on.");
    }
    snapshot(t, x);
}

static void on_follow(struct tour *t, const char *target, bool file)
{
    struct text *x = t->face;

    snprintf(x->target, sizeof x->target, "%s", target);
    x->file = file;
}

static void step_heading(const struct tour *t)
{
    const struct tour_step *s = &tour_steps[t->step];

    printf("\n==== Step %d of %d: %s (%s, %s) ====\n", t->step + 1, tour_nsteps,
           s->title, tour_pane_title(s->pane), s->prog);
    para("What:  ", s->what);
    para("Watch: ", s->watch);
    check_out();
}

static void extra_heading(const struct tour *t)
{
    const struct tour_extra *e = &tour_extras[t->extra];

    printf("\n==== %s: %s ====\n", e->prog, e->menu);
    para("What:  ", e->intro);
    para("Watch: ", e->watch);
    check_out();
}

static void further(void)
{
    printf("\n==== Further programs ====\n");
    printf("Each takes one more fact of the original text and makes it happen; on a\n"
           "terminal, `make demo` offers them after the walkthrough, and\n"
           "`mmaplab-tour --text --program NN` narrates one here.\n\n");
    for (int i = 0; i < tour_nextras; i++)
        printf("  %-16s %s\n", tour_extras[i].prog, tour_extras[i].menu);
    printf("\nThe lessons (lessons/README.md) explain every line the programs print.\n");
    check_out();
}

int tour_text_run(struct tour *t, int extra, const char *viewer)
{
    static struct text x;
    struct pollfd p[8];

    x.viewer = viewer;
    x.viewer_ok = access(viewer, X_OK) == 0;
    t->face = &x;
    t->hooks.line = on_line;
    t->hooks.step_done = on_step_done;
    t->hooks.extra_stop = on_extra_stop;
    t->hooks.follow = on_follow;

    if (extra < 0) {
        printf("mmaplab tour: the named shared memory walkthrough, as text.\n");
        para("", "The first process creates a named object, maps it and copies a message "
             "in; the second opens it by name and reads the message; both unmap and close, "
             "and the name is removed.  Each program runs with --step and the tour presses "
             "Enter for it, one step at a time; the snapshots show what the viewer "
             "(mmapview) sees.");
        printf("The object is %s.\n", t->name);
        if (!x.viewer_ok)
            printf("(%s is missing: no snapshots)\n", viewer);
    }
    check_out();
    if (tour_begin(t, extra) == -1) {
        printf("\ntour: %s\n", t->problem);
        return 1;
    }
    int shown = -1;
    for (;;) {
        if (wake_signal)
            return 1;
        switch (t->phase) {
        case TP_READY:
            if (shown != t->step) {
                shown = t->step;
                step_heading(t);
            }
            tour_go(t);
            continue;
        case TP_X_READY:
            if (t->x_stop == 0)
                extra_heading(t);
            tour_go(t);
            continue;
        case TP_X_DONE:
            return 0;
        case TP_MENU:
            further();
            printf("\nDone: the walkthrough ran to its end and /dev/shm is as it was.\n");
            check_out();
            return 0;
        case TP_FAILED:
            printf("\ntour: %s\n", t->problem);
            fprintf(stderr, "mmaplab-tour: %s\n", t->problem);
            check_out();
            return 1;
        default:
            break;
        }
        int n = tour_fds(t, p, 7);
        if (wake_fd() >= 0)
            p[n++] = (struct pollfd){ wake_fd(), POLLIN, 0 };
        poll(p, (nfds_t)n, tour_wait_ms(t));
        wake_drain();
        tour_pump(t);
    }
}
