/* tour_engine.h — the guided tour's engine, shared by its two faces: the full
 * screen (tour_screen.c) and the narrated text (tour_text.c).
 *
 * The engine runs the programs (tour_child.h), follows them through the
 * trace (tour_trace.h) and walks the script (tour_script.h).  A face calls
 * tour_pump when poll says something is ready, reads the state, and answers
 * the keys with tour_go, tour_back, tour_choose and tour_to_menu; the
 * engine tells it what happened through the hooks.
 */
#ifndef MMAPLAB_TOUR_ENGINE_H
#define MMAPLAB_TOUR_ENGINE_H

#include <poll.h>
#include <stdbool.h>

#include "tour_child.h"
#include "tour_script.h"
#include "tour_trace.h"

/* What a pane keeps of its program's output. */
#define TOUR_KEEP 400

struct tour_lines {
    char *v[TOUR_KEEP];       /* a ring: oldest at head */
    int head, n;
    struct linebuf part;      /* read, not yet whole lines */
};

struct tour_pane {
    struct tour_child c;
    char prog[32];            /* running now, or "" */
    char shown[32];           /* the last program it ran, for its title */
    bool stopped;             /* at a pause: `at` says which */
    bool exited;              /* its exit event came, or it ended */
    int exit_status;          /* from the exit event (or the wait) */
    char at[512];             /* the last pause's message */
    int holds;                /* pauses seen since it started */
    struct tour_lines out;
};

enum tour_phase {
    TP_READY,        /* a step of the walkthrough is explained; go does it */
    TP_BUSY,         /* programs run to where the next step needs them */
    TP_MENU,         /* the walkthrough is done: the further programs */
    TP_X_READY,      /* a further program: its start, or one of its holds */
    TP_X_BUSY,       /* it runs to its next hold, or its end */
    TP_X_DONE,       /* it has ended */
    TP_FAILED,       /* something went wrong: problem says what */
};

struct tour;

struct tour_hooks {
    /* A line a program printed (pane: PANE_FIRST or PANE_SECOND), or the
     * command line that started it ("$ 03-copy -n ..."). */
    void (*line)(struct tour *t, int pane, const char *line);
    /* A step of the walkthrough has just happened: its program stands
     * where the script says (the panels should be looked at now). */
    void (*step_done)(struct tour *t, int step);
    /* A further program reached hold number `hold` (1...), or its end
     * (hold 0). */
    void (*extra_stop)(struct tour *t, int hold);
    /* The panels should follow this object (a name, or a file when file). */
    void (*follow)(struct tour *t, const char *target, bool file);
};

enum { TOUR_JOBS = 12 };

struct tour_job {
    enum { J_GO, J_START, J_CHECK, J_DONE } kind;
    int pane;
    int step;                 /* J_START, J_CHECK, J_DONE: the step */
    bool waiting;             /* sent; waiting for the program to stop */
};

struct tour {
    /* Set up by main. */
    char name[260];           /* the object */
    char bin[4096];           /* where the numbered programs are */
    char dir[4096];           /* the tour's directory: trace, files */
    char trace_path[4200];
    int timeout_ms;           /* for a program to reach its next stop */
    int from;                 /* the step to start at: those before it run
                               * by themselves first (0: the beginning) */
    struct tour_hooks hooks;
    void *face;               /* the face's own state */

    struct tour_trace trace;
    struct tour_pane pane[PANES];
    enum tour_phase phase;
    int step;                 /* the step shown (READY) or coming (BUSY) */
    int done;                 /* steps done in this run (for "seen") */
    int replay_to;            /* go on by itself up to this step; -1 none */
    bool failed_before;       /* a step failed: the exit status says so */
    char problem[1024];
    double deadline;          /* when the program waited for is late */

    struct tour_job jobs[TOUR_JOBS];
    int njobs;

    /* The further programs. */
    int sel;                  /* selected in the menu */
    int extra;                /* running, or -1 */
    int x_stop;               /* 0 its start, 1..n its holds, n+1 its end */
    int x_replay_to;          /* go on by itself up to this stop; -1 none */
    char live[512];           /* the step it is at, from the trace */
};

/* Fill in the defaults; then main sets name, bin, dir, hooks. */
void tour_init(struct tour *t);

/* Open the trace and start the walkthrough (01-create, up to its first
 * pause), or with extra >= 0 go straight to that further program.
 * Returns 0, or -1 with problem set. */
int tour_begin(struct tour *t, int extra);

/* The descriptors to poll (program output, the trace); returns the count. */
int tour_fds(const struct tour *t, struct pollfd *p, int max);
/* Milliseconds until the engine needs a look (a deadline), or -1. */
int tour_wait_ms(const struct tour *t);

/* Read what is there: program output, trace events; move the steps on. */
void tour_pump(struct tour *t);

/* Space: do the step shown, or go on from a hold.  False when there is
 * nothing to do now (busy, or at the menu). */
bool tour_go(struct tour *t);
/* b: back one step: the programs run again from the start up to the step
 * before, so that go does it again.  In a further program: back to its
 * previous stop.  Returns false with why when there is no step before. */
bool tour_back(struct tour *t, char *why, size_t whysz);
/* At the menu: run further program i (up to its start). */
void tour_choose(struct tour *t, int i);
/* From a further program, back to the menu (it is stopped, its files go). */
void tour_to_menu(struct tour *t);

/* Stop every program, remove the object and what the programs left in
 * the tour's directory.  Safe to call more than once. */
void tour_stop_all(struct tour *t);
void tour_end(struct tour *t);

/* The step's pane title ("first process") and the program's command line
 * as the pane shows it. */
const char *tour_pane_title(int pane);

/* The i-th line kept for a pane, oldest first (i < out.n). */
const char *tour_line_at(const struct tour_lines *l, int i);

/* For a signal handler: SIGKILL every program's group, unlink the object
 * and the tour's files.  Async-signal-safe. */
void tour_emergency(void);

#endif
