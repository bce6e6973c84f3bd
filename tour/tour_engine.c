/* tour_engine.c — running the script: programs started, Enter pressed in
 * them, their stops checked against the script, steps replayed.
 *
 * Doing a step is a short queue of jobs (press Enter N times, check where
 * the program stopped, start the next program, check it too); a job that
 * waits is finished by a trace event — a "hold" for a pause, an "exit" —
 * and never by time.  Time only says that a program is late, and then the
 * tour says so rather than guess.
 *
 * Going back a step replays: every program is stopped, the object is
 * removed, and the walkthrough runs again by itself from 01-create up to
 * the step before.  A program cannot be rewound; running it again is the
 * honest way to show a call twice, and it leaves the state exactly as the
 * first time.
 */
#include "tour_engine.h"
#include "clock.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- what a signal handler may need: no locks, no allocation ------------ */

static volatile pid_t g_groups[PANES];
static char g_shm_path[300];
/* The files the tour or its programs may make in its directory.  One is
 * removed only if this run made it: it was not there before (before), and
 * the name still leads to the file seen made (made, dev, ino), owned by
 * this user.  A file of the user's own with the same name is left alone. */
static struct tour_file {
    char path[4300];
    bool before, made;
    dev_t dev;
    ino_t ino;
} g_files[4];
static int g_nfiles;

/* Is the file at f->path the one this run made?  lstat only: it runs in
 * signal handlers too. */
static bool made_here(const struct tour_file *f)
{
    struct stat st;

    return f->made && lstat(f->path, &st) == 0 && S_ISREG(st.st_mode) &&
           st.st_dev == f->dev && st.st_ino == f->ino;
}

/* Remove f if this run made it.  Whatever is there afterwards is not the
 * tour's, until a program that makes f starts again (note_before). */
static void take_back(struct tour_file *f)
{
    if (made_here(f))
        unlink(f->path);
    f->made = false;
    f->before = true;
}

/* Note whether f is there before a program that may make it starts. */
static void note_before(struct tour_file *f)
{
    struct stat st;

    f->before = lstat(f->path, &st) == 0;
    f->made = false;
}

/* After the program ran a while: a file that was not there before and is
 * now, a regular file of this user's, is the program's. */
static void note_made(struct tour_file *f)
{
    struct stat st;

    if (f->before || f->made || lstat(f->path, &st) == -1 ||
        !S_ISREG(st.st_mode) || st.st_uid != geteuid())
        return;
    f->made = true;
    f->dev = st.st_dev;
    f->ino = st.st_ino;
}

void tour_emergency(void)
{
    for (int i = 0; i < PANES; i++) {
        pid_t g = g_groups[i];
        if (g > 0) {
            kill(-g, SIGKILL);
            waitpid(g, NULL, 0);
        }
    }
    if (g_shm_path[0])
        unlink(g_shm_path);
    for (int i = 0; i < g_nfiles; i++)
        take_back(&g_files[i]);
}

/* ---- pane output --------------------------------------------------------- */

const char *tour_line_at(const struct tour_lines *l, int i)
{
    return l->v[(l->head + i) % TOUR_KEEP];
}

static void lines_clear(struct tour_lines *l)
{
    for (int i = 0; i < TOUR_KEEP; i++) {
        free(l->v[i]);
        l->v[i] = NULL;
    }
    l->head = l->n = 0;
    linebuf_reset(&l->part, true, false);
}

static void lines_add(struct tour *t, int pane, const char *s)
{
    struct tour_lines *l = &t->pane[pane].out;
    char *copy = strdup(s);

    if (copy == NULL)
        return;
    if (l->n == TOUR_KEEP) {
        free(l->v[l->head]);
        l->v[l->head] = copy;
        l->head = (l->head + 1) % TOUR_KEEP;
    } else {
        l->v[(l->head + l->n) % TOUR_KEEP] = copy;
        l->n++;
    }
    if (t->hooks.line)
        t->hooks.line(t, pane, s);
}

/* The pane's whole lines, but the empty ones (a pane is small); at_end:
 * its program's output has ended, and a last line without a newline counts
 * too. */
static void lines_take(struct tour *t, int pane, bool at_end)
{
    struct linebuf *b = &t->pane[pane].out.part;
    char *l;
    size_t n;

    while ((l = linebuf_next(b, &n, at_end)) != NULL)
        if (n > 0)
            lines_add(t, pane, l);
}

static void drain(struct tour *t, int pane)
{
    struct tour_pane *p = &t->pane[pane];
    ssize_t r;

    do {
        size_t room;
        char *at = linebuf_space(&p->out.part, &room);
        r = tour_child_read(&p->c, at, room);
        if (r > 0)
            linebuf_added(&p->out.part, (size_t)r);
        lines_take(t, pane, r == 0);
    } while (r > 0);
}

/* ---- starting and stopping programs -------------------------------------- */

const char *tour_pane_title(int pane)
{
    return pane == PANE_FIRST ? "first process" : "second process";
}

/* Forget the program (its pipes are closed already). */
static void pane_reset(struct tour_pane *p)
{
    memset(&p->c, 0, sizeof p->c);
    p->c.in = p->c.out = -1;
    p->prog[0] = '\0';
    p->stopped = p->exited = false;
    p->exit_status = 0;
    p->at[0] = '\0';
    p->holds = 0;
}

/* Let a program that has said it is exiting finish, then stop whatever is
 * left of it. */
static void pane_finish(struct tour *t, int pane, int grace_ms)
{
    struct tour_pane *p = &t->pane[pane];

    if (p->c.pid > 0) {
        double until = mv_now_ms() + grace_ms;
        while (!tour_child_check(&p->c) && mv_now_ms() < until) {
            struct timespec ts = { 0, 2000000 };
            nanosleep(&ts, NULL);
        }
        drain(t, pane);
        tour_child_stop(&p->c, 1000);
        g_groups[pane] = 0;
    }
    lines_take(t, pane, true);
    pane_reset(p);
}

static void pane_stop(struct tour *t, int pane)
{
    struct tour_pane *p = &t->pane[pane];

    if (p->c.pid > 0) {
        drain(t, pane);
        tour_child_stop(&p->c, 2000);
        g_groups[pane] = 0;
    }
    pane_reset(p);
}

static void fail(struct tour *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void fail(struct tour *t, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(t->problem, sizeof t->problem, fmt, ap);
    va_end(ap);
    t->phase = TP_FAILED;
    t->njobs = 0;
    t->replay_to = -1;
    t->x_replay_to = -1;
    t->failed_before = true;
}

static int start(struct tour *t, int pane, const char *prog, char *const *args,
                 int nargs)
{
    struct tour_pane *p = &t->pane[pane];
    char path[4400], cmd[1024], why[600];
    char *argv[16];
    int n = 0;

    pane_finish(t, pane, 2000);
    snprintf(path, sizeof path, "%s/%s", t->bin, prog);
    argv[n++] = path;
    size_t k = (size_t)snprintf(cmd, sizeof cmd, "$ %s", prog);
    for (int i = 0; i < nargs && n < 12; i++) {
        argv[n++] = args[i];
        if (k < sizeof cmd)
            k += (size_t)snprintf(cmd + k, sizeof cmd - k, " %s", args[i]);
    }
    argv[n++] = "--trace";
    argv[n++] = t->trace_path;
    argv[n] = NULL;
    lines_add(t, pane, cmd);
    if (tour_child_start(&p->c, argv, why, sizeof why) == -1) {
        fail(t, "%s could not be started: %s", prog, why);
        return -1;
    }
    g_groups[pane] = p->c.pid;
    snprintf(p->prog, sizeof p->prog, "%s", prog);
    snprintf(p->shown, sizeof p->shown, "%s", prog);
    p->stopped = p->exited = false;
    p->holds = 0;
    p->at[0] = '\0';
    return 0;
}

static int start_step_prog(struct tour *t, int pane, const char *prog)
{
    char *args[] = { "-n", t->name, "--step" };
    return start(t, pane, prog, args, 3);
}

static void remove_leftovers(struct tour *t)
{
    /* The programs take back what they made when stopped; this is for a
     * program stopped between its shm_open and the end of its run, whose
     * object is meant to outlive it. */
    if (shm_unlink(t->name) == -1 && errno != ENOENT) {
        /* Nothing else to try: the name is the tour's own. */
    }
    for (int i = 1; i < g_nfiles; i++) {
        note_made(&g_files[i]);
        take_back(&g_files[i]);
    }
}

/* ---- the trace ------------------------------------------------------------ */

static bool same_group(pid_t pid, pid_t group)
{
    pid_t g = getpgid(pid);
    return g == group;
}

static void apply(struct tour *t, const struct tour_event *e)
{
    for (int i = 0; i < PANES; i++) {
        struct tour_pane *p = &t->pane[i];
        if (p->c.pid <= 0)
            continue;
        bool leader = e->pid == p->c.pid;
        /* A further program's children (an exec'd 06-inherit) hold too. */
        bool member = leader || (t->extra >= 0 && strcmp(e->prog, p->prog) == 0 &&
                                 same_group((pid_t)e->pid, p->c.pid));
        if (!member)
            continue;
        if (strcmp(e->event, "hold") == 0) {
            p->stopped = true;
            p->holds++;
            snprintf(p->at, sizeof p->at, "%s", e->message);
        } else if (strcmp(e->event, "resume") == 0) {
            p->stopped = false;
        } else if (strcmp(e->event, "exit") == 0 && leader) {
            p->exited = true;
            p->stopped = false;
            p->exit_status = e->status;
        } else if (strcmp(e->event, "step") == 0) {
            /* A long message is cut, as the status line would cut it anyway. */
            if (snprintf(t->live, sizeof t->live, "[%s] %s", e->step, e->message) < 0)
                t->live[0] = '\0';
        }
    }
}

/* ---- the jobs ------------------------------------------------------------- */

static void push(struct tour *t, int kind, int pane, int step)
{
    if (t->njobs < TOUR_JOBS)
        t->jobs[t->njobs++] = (struct tour_job){ kind, pane, step, false };
}

static void pop(struct tour *t)
{
    memmove(t->jobs, t->jobs + 1, (size_t)(t->njobs - 1) * sizeof t->jobs[0]);
    t->njobs--;
}

/* The step after `step` that uses the same program, or -1 (it must end). */
static int next_use(int step)
{
    const struct tour_step *s = &tour_steps[step];

    for (int j = step + 1; j < tour_nsteps; j++) {
        if (tour_steps[j].pane == s->pane)
            return strcmp(tour_steps[j].prog, s->prog) == 0 ? j : -1;
    }
    return -1;
}

/* Does the pause message say the program stands at `at`? */
static bool stands_at(const char *msg, const char *at)
{
    bool before = strncmp(msg, "before ", 7) == 0;

    if (strcmp(at, "hold") == 0)
        return !before;
    size_t n = strlen(at);
    return before && strncmp(msg + 7, at, n) == 0 && msg[7 + n] == '(';
}

static void check(struct tour *t, int pane, int step)
{
    struct tour_pane *p = &t->pane[pane];

    if (step < 0) {
        if (!p->exited)
            fail(t, "%s was expected to end here, but it stopped at: %s", p->prog, p->at);
        else if (p->exit_status != 0)
            fail(t, "%s ended with status %d: its pane says why", p->prog, p->exit_status);
        return;
    }
    const struct tour_step *s = &tour_steps[step];
    if (p->exited)
        fail(t, "%s ended (status %d) where the tour expected it to stop %s%s: its pane "
             "says why", p->prog, p->exit_status, strcmp(s->at, "hold") ? "before " : "at its ",
             s->at);
    else if (!stands_at(p->at, s->at))
        fail(t, "%s stopped at \"%s\", not %s%s as the tour expects: the program and the "
             "tour's script (tour/tour_script.c) disagree", p->prog, p->at,
             strcmp(s->at, "hold") ? "before " : "at its ", s->at);
}

static void queue_step(struct tour *t, int k)
{
    const struct tour_step *s = &tour_steps[k];

    for (int i = 0; i < s->go; i++)
        push(t, J_GO, s->pane, k);
    push(t, J_CHECK, s->pane, next_use(k));
    push(t, J_DONE, s->pane, k);
    if (k + 1 < tour_nsteps) {
        const struct tour_step *n = &tour_steps[k + 1];
        const struct tour_pane *q = &t->pane[n->pane];
        bool running = q->c.pid > 0 && !q->exited && strcmp(q->prog, n->prog) == 0;
        if (!running) {
            push(t, J_START, n->pane, k + 1);
            push(t, J_CHECK, n->pane, k + 1);
        }
    }
}

static void extra_args(struct tour *t, const struct tour_extra *x, char **args,
                       int *n, char *buf, size_t bufsz)
{
    *n = 0;
    if (x->obj == OBJ_SHM) {
        args[(*n)++] = "-n";
        args[(*n)++] = t->name;
    } else if (strcmp(x->dir_opt, "-o") == 0) {
        snprintf(buf, bufsz, "%s/%s", t->dir, x->file);
        args[(*n)++] = "-o";
        args[(*n)++] = buf;
    } else {
        args[(*n)++] = (char *)x->dir_opt;
        args[(*n)++] = t->dir;
    }
}

/* The file the current further program makes, or NULL. */
static struct tour_file *extra_file(const struct tour *t)
{
    const struct tour_extra *x = &tour_extras[t->extra];
    char path[4300];

    if (x->file == NULL)
        return NULL;
    snprintf(path, sizeof path, "%s/%s", t->dir, x->file);
    for (int i = 1; i < g_nfiles; i++)
        if (strcmp(g_files[i].path, path) == 0)
            return &g_files[i];
    return NULL;
}

/* A further program has stopped at a hold or ended. */
static void extra_stopped(struct tour *t)
{
    const struct tour_extra *x = &tour_extras[t->extra];
    struct tour_pane *p = &t->pane[PANE_FIRST];
    struct tour_file *f = extra_file(t);

    if (f != NULL)
        note_made(f);
    if (p->exited) {
        t->x_stop = x->nholds + 1;
        t->phase = TP_X_DONE;
        if (p->exit_status != 0) {
            fail(t, "%s ended with status %d: its pane says why", x->prog, p->exit_status);
            return;
        }
        if (t->hooks.extra_stop)
            t->hooks.extra_stop(t, 0);
        return;
    }
    t->x_stop = p->holds;
    t->phase = TP_X_READY;
    if (t->x_replay_to >= 0 && t->x_stop < t->x_replay_to) {
        tour_go(t);
        return;
    }
    t->x_replay_to = -1;
    if (t->hooks.extra_stop)
        t->hooks.extra_stop(t, t->x_stop);
}

static void run_jobs(struct tour *t)
{
    while (t->njobs > 0 && t->phase != TP_FAILED) {
        struct tour_job *j = &t->jobs[0];
        struct tour_pane *p = &t->pane[j->pane];

        switch (j->kind) {
        case J_START:
        case J_GO:
            if (!j->waiting) {
                if (j->kind == J_START) {
                    if (t->extra >= 0) {
                        const struct tour_extra *x = &tour_extras[t->extra];
                        char *args[4], buf[4400];
                        int n;
                        extra_args(t, x, args, &n, buf, sizeof buf);
                        struct tour_file *f = extra_file(t);
                        if (f != NULL)
                            note_before(f);
                        if (start(t, j->pane, x->prog, args, n) == -1)
                            return;
                    } else if (start_step_prog(t, j->pane, tour_steps[j->step].prog) == -1) {
                        return;
                    }
                } else {
                    if (!p->stopped) {
                        fail(t, "%s is not waiting for Enter (it is %s)", p->prog,
                             p->exited ? "gone" : "running");
                        return;
                    }
                    p->stopped = false;
                    if (!tour_child_enter(&p->c)) {
                        fail(t, "%s does not take Enter any more", p->prog);
                        return;
                    }
                }
                j->waiting = true;
                t->deadline = mv_now_ms() + t->timeout_ms * (t->extra >= 0 ? 3 : 1);
                t->phase = t->extra >= 0 ? TP_X_BUSY : TP_BUSY;
            }
            if (!p->stopped && !p->exited)
                return;
            pop(t);
            if (t->extra >= 0) {
                extra_stopped(t);
                return;
            }
            break;
        case J_CHECK:
            check(t, j->pane, j->step);
            if (t->phase == TP_FAILED)
                return;
            pop(t);
            break;
        case J_DONE: {
            int k = j->step, pane = j->pane;
            pop(t);
            t->done = k + 1;
            if (t->replay_to < 0 && t->hooks.step_done)
                t->hooks.step_done(t, k);
            if (k + 1 >= tour_nsteps) {
                pane_finish(t, pane, 2000);
                t->phase = TP_MENU;
                t->step = tour_nsteps;
                t->replay_to = -1;
                return;
            }
            t->step = k + 1;
            break;
        }
        }
        if (t->njobs == 0 && t->phase != TP_FAILED && t->extra < 0) {
            t->phase = TP_READY;
            if (t->replay_to > t->step) {
                tour_go(t);
            } else {
                t->replay_to = -1;
            }
        }
    }
}

/* ---- the engine's face ------------------------------------------------------ */

void tour_init(struct tour *t)
{
    memset(t, 0, sizeof *t);
    t->timeout_ms = 30000;
    t->replay_to = -1;
    t->x_replay_to = -1;
    t->extra = -1;
    t->trace.fd = t->trace.watch = -1;
    for (int i = 0; i < PANES; i++) {
        pane_reset(&t->pane[i]);
        lines_clear(&t->pane[i].out);
    }
}

int tour_begin(struct tour *t, int extra)
{
    char why[600];

    snprintf(t->trace_path, sizeof t->trace_path, "%s/trace.jsonl", t->dir);
    snprintf(g_shm_path, sizeof g_shm_path, "/dev/shm%s", t->name);
    g_nfiles = 0;
    memset(g_files, 0, sizeof g_files);
    snprintf(g_files[g_nfiles++].path, sizeof g_files[0].path, "%s", t->trace_path);
    for (int i = 0; i < tour_nextras && g_nfiles < 4; i++) {
        if (tour_extras[i].file) {
            snprintf(g_files[g_nfiles].path, sizeof g_files[0].path, "%s/%s",
                     t->dir, tour_extras[i].file);
            g_files[g_nfiles++].before = true;   /* until its program starts */
        }
    }
    struct stat st;
    if (tour_trace_open(&t->trace, t->trace_path, &st, why, sizeof why) == -1) {
        fail(t, "%s", why);
        return -1;
    }
    g_files[0].made = true;       /* made with O_EXCL just now */
    g_files[0].dev = st.st_dev;
    g_files[0].ino = st.st_ino;
    if (extra >= 0) {
        t->step = tour_nsteps;
        t->done = tour_nsteps;
        tour_choose(t, extra);
        return 0;
    }
    t->step = 0;
    t->done = 0;
    t->phase = TP_BUSY;
    t->replay_to = t->from > 0 && t->from < tour_nsteps ? t->from : -1;
    if (t->hooks.follow)
        t->hooks.follow(t, t->name, false);
    push(t, J_START, tour_steps[0].pane, 0);
    push(t, J_CHECK, tour_steps[0].pane, 0);
    run_jobs(t);
    return t->phase == TP_FAILED ? -1 : 0;
}

int tour_fds(const struct tour *t, struct pollfd *p, int max)
{
    int n = 0;

    if (t->trace.watch >= 0 && n < max)
        p[n++] = (struct pollfd){ t->trace.watch, POLLIN, 0 };
    for (int i = 0; i < PANES && n < max; i++) {
        if (t->pane[i].c.out >= 0)
            p[n++] = (struct pollfd){ t->pane[i].c.out, POLLIN, 0 };
    }
    return n;
}

int tour_wait_ms(const struct tour *t)
{
    if (t->njobs == 0)
        return -1;
    /* inotify wakes the tour; this is only in case a wake-up is missed,
     * and to notice a late program. */
    double left = t->deadline - mv_now_ms();
    return left < 0 ? 0 : left > 200 ? 200 : (int)left;
}

void tour_pump(struct tour *t)
{
    static struct tour_event ev[64];
    int nev = 0;

    tour_trace_drain_watch(&t->trace);
    /* Events first, then output: a program flushes its output before it
     * records a pause, so what precedes an event read now is in the pipe. */
    while (nev < 64 && tour_trace_next(&t->trace, &ev[nev]) == 1)
        nev++;
    for (int i = 0; i < PANES; i++)
        drain(t, i);
    for (int i = 0; i < nev; i++)
        apply(t, &ev[i]);
    for (int i = 0; i < PANES; i++) {
        struct tour_pane *p = &t->pane[i];
        if (p->c.pid > 0 && !p->c.reaped && tour_child_check(&p->c)) {
            g_groups[i] = 0;
            drain(t, i);
            if (!p->exited) {
                /* It ended without an exit event: killed, or no trace. */
                int st = p->c.status;
                p->exited = true;
                p->stopped = false;
                p->exit_status = WIFEXITED(st) ? WEXITSTATUS(st)
                               : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 1;
            }
        }
    }
    struct tour_child leaders[PANES] = { t->pane[0].c, t->pane[1].c };
    tour_reap_orphans(leaders, PANES, 0);
    run_jobs(t);
    if (t->njobs > 0 && t->phase != TP_FAILED && mv_now_ms() > t->deadline) {
        const struct tour_pane *p = &t->pane[t->jobs[0].pane];
        fail(t, "%s did not reach its next stop within %d s (the trace says where "
             "each program is: %s)", p->prog[0] ? p->prog : "a program",
             t->timeout_ms * (t->extra >= 0 ? 3 : 1) / 1000, t->trace_path);
    }
    if (nev == 64)
        tour_pump(t);          /* more may be waiting */
}

static void teardown(struct tour *t)
{
    tour_pump(t);
    for (int i = 0; i < PANES; i++) {
        pane_stop(t, i);
        lines_clear(&t->pane[i].out);
        t->pane[i].shown[0] = '\0';
    }
    t->njobs = 0;
    tour_reap_orphans(NULL, 0, 0);
    remove_leftovers(t);
}

bool tour_go(struct tour *t)
{
    switch (t->phase) {
    case TP_READY:
        if (t->njobs > 0 || t->step >= tour_nsteps)
            return false;
        queue_step(t, t->step);
        t->phase = TP_BUSY;
        run_jobs(t);
        return true;
    case TP_X_READY:
        if (t->x_stop == 0)
            push(t, J_START, PANE_FIRST, 0);
        else
            push(t, J_GO, PANE_FIRST, 0);
        t->phase = TP_X_BUSY;
        run_jobs(t);
        return true;
    case TP_X_DONE:
        tour_to_menu(t);
        return true;
    default:
        return false;
    }
}

static void replay(struct tour *t, int target)
{
    teardown(t);
    t->extra = -1;
    t->live[0] = '\0';
    t->problem[0] = '\0';
    t->step = 0;
    t->done = 0;
    t->replay_to = target > 0 ? target : -1;
    t->phase = TP_BUSY;
    if (t->hooks.follow)
        t->hooks.follow(t, t->name, false);
    push(t, J_START, tour_steps[0].pane, 0);
    push(t, J_CHECK, tour_steps[0].pane, 0);
    run_jobs(t);
}

static void x_replay(struct tour *t, int target)
{
    int e = t->extra;

    teardown(t);
    t->problem[0] = '\0';
    t->live[0] = '\0';
    t->extra = e;
    t->x_stop = 0;
    t->phase = TP_X_READY;
    t->x_replay_to = target > 0 ? target : -1;
    if (target > 0)
        tour_go(t);
}

bool tour_back(struct tour *t, char *why, size_t whysz)
{
    why[0] = '\0';
    switch (t->phase) {
    case TP_READY:
        if (t->step == 0) {
            snprintf(why, whysz, "this is the first step: there is none before it");
            return false;
        }
        replay(t, t->step - 1);
        return true;
    case TP_MENU:
        replay(t, tour_nsteps - 1);
        return true;
    case TP_FAILED:
        if (t->extra >= 0)
            x_replay(t, 0);
        else
            replay(t, t->step < tour_nsteps ? t->step : tour_nsteps - 1);
        return true;
    case TP_X_READY:
        if (t->x_stop == 0) {
            snprintf(why, whysz, "%s has not started: there is no step before",
                     tour_extras[t->extra].prog);
            return false;
        }
        x_replay(t, t->x_stop - 1);
        return true;
    case TP_X_DONE:
        x_replay(t, tour_extras[t->extra].nholds);
        return true;
    default:
        snprintf(why, whysz, "a moment: a program is running");
        return false;
    }
}

void tour_choose(struct tour *t, int i)
{
    const struct tour_extra *x = &tour_extras[i];
    char path[4400];

    teardown(t);
    t->problem[0] = '\0';
    t->live[0] = '\0';
    t->extra = i;
    t->sel = i;
    t->x_stop = 0;
    t->x_replay_to = -1;
    t->phase = TP_X_READY;
    if (t->hooks.follow) {
        if (x->obj == OBJ_SHM) {
            t->hooks.follow(t, t->name, false);
        } else {
            snprintf(path, sizeof path, "%s/%s", t->dir, x->file);
            t->hooks.follow(t, path, true);
        }
    }
}

void tour_to_menu(struct tour *t)
{
    teardown(t);
    if (t->extra >= 0)
        t->sel = t->extra;
    t->extra = -1;
    t->problem[0] = '\0';
    t->live[0] = '\0';
    t->phase = TP_MENU;
    t->step = tour_nsteps;
}

void tour_stop_all(struct tour *t)
{
    for (int i = 0; i < PANES; i++)
        pane_stop(t, i);
    t->njobs = 0;
    /* What the programs forked dies with their groups and comes back to the
     * tour to be reaped: none may outlive it, even as a zombie. */
    tour_reap_orphans(NULL, 0, 1000);
    remove_leftovers(t);
}

void tour_end(struct tour *t)
{
    tour_stop_all(t);
    tour_trace_close(&t->trace);
    if (g_nfiles > 0)
        take_back(&g_files[0]);
    for (int i = 0; i < PANES; i++)
        lines_clear(&t->pane[i].out);
    g_shm_path[0] = '\0';
    g_nfiles = 0;
}
